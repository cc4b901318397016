-- The Merkle tree over the journal (docs/journal.md, "The Merkle tree"):
-- the root of every full subtree of 2^level leaves, level 4 or more (16
-- entries and more), entry 1 being leaf 0. Written in the transaction that
-- appends the entry completing the subtree; smaller subtrees are hashed
-- again from the journal when needed. Not a projection of the events (it
-- is a function of the chain's hashes): `charte audit` recomputes it from
-- the chain instead of replaying it. Filled for the entries already
-- journaled by charte itself when a workspace is upgraded (SQL cannot
-- hash).
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
