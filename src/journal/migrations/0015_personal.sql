-- Personal data that may have to be erased (docs/journal.md, "Personal
-- data"): not a projection. An event holds a salted commitment to such a
-- value (`sha256:` and the hex of sha256("charte-personal/1\n" || salt ||
-- "\n" || value)); the value and its salt sit here, one row per use, and
-- `charte erase` clears them (salt and value NULL, erased_seq set) in the
-- transaction that journals `personal-data-erased`. The journal does not
-- derive this table (it never holds the values): `charte audit` checks it
-- against the commitments instead.
CREATE TABLE personal (
    commitment TEXT PRIMARY KEY,  -- sha256:<64 hex>, as the events hold it
    kind       TEXT NOT NULL,     -- email, ip-address, user-agent
    salt       BLOB,              -- 16 random bytes; NULL once erased
    value      TEXT,              -- the value, as used; NULL once erased
    erased_seq INTEGER            -- the personal-data-erased entry; NULL while held
) STRICT, WITHOUT ROWID;          -- stored in its key's order: no second copy of it

-- The commitments erased, as the journal's personal-data-erased entries
-- give them: a projection, replayed and compared by `charte audit`.
CREATE TABLE erasures (
    commitment TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL
) STRICT;
