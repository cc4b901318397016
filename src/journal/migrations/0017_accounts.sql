-- Accounts of the web application (`charte users`; DESIGN.md "The web
-- application"): a projection of the account-added / account-removed
-- events, replayed and compared by `charte audit`. An account's id is the
-- sequence number of its account-added entry; its email is a commitment
-- (crate::journal::personal), the address itself in `personal`.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,  -- the account-added entry's seq
    email       TEXT NOT NULL,        -- commitment of the address
    role        TEXT NOT NULL,        -- coordinator, committee
    added       TEXT NOT NULL,        -- YYYY-MM-DD
    removed_seq INTEGER               -- the account-removed entry, once removed
) STRICT;

-- The password of each account, as its argon2id hash (PHC string): not a
-- projection and not history (`charte audit` leaves it out). The journal
-- never holds a password nor its hash: a hash in an append-only journal
-- could never be taken back, and anyone holding a copy of the journal
-- could try passwords against it for ever.
CREATE TABLE passwords (
    account INTEGER PRIMARY KEY,  -- accounts.id
    hash    TEXT NOT NULL
) STRICT;

-- Sessions of signed-in accounts: wall-clock secrets of a few hours, not
-- history (`charte audit` leaves them out). Only the token's sha256 is kept.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,  -- hex sha256 of the cookie's token
    account      INTEGER NOT NULL,  -- accounts.id
    csrf         TEXT NOT NULL,     -- the token the session's forms carry
    created      INTEGER NOT NULL,  -- unix seconds
    expires      INTEGER NOT NULL,  -- unix seconds: the session's last moment
    seen         INTEGER NOT NULL   -- unix seconds: its last use (idle timeout)
) STRICT;
CREATE INDEX sessions_account ON sessions (account);
