-- The journal: every change, append-only, hash-chained (docs/journal.md).
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,     -- the effective date (YYYY-MM-DD, --now)
    kind      TEXT NOT NULL,     -- the event's type tag
    subject   TEXT NOT NULL,     -- what it is about: an enterprise number, a meeting id, '' for the coordination
    payload   TEXT NOT NULL,     -- the event as canonical JSON
    prev_hash TEXT NOT NULL,     -- hash of the previous entry (64 zeros for the first)
    hash      TEXT NOT NULL      -- sha256 of this entry, see docs/journal.md
) STRICT;
CREATE INDEX journal_subject ON journal (subject, seq);
CREATE INDEX journal_kind ON journal (kind, seq);

-- Projections: derived from the journal, rebuilt by replaying it.
CREATE TABLE organisations (
    enterprise_number    TEXT PRIMARY KEY,   -- 10 digits, no punctuation
    name                 TEXT NOT NULL,
    email                TEXT NOT NULL,
    language             TEXT NOT NULL,
    status               TEXT NOT NULL,
    representative       TEXT,
    representative_email TEXT,
    address              TEXT,
    sectors              TEXT NOT NULL,      -- JSON array
    public_key           TEXT,               -- base64 ed25519 key registered by the organisation
    signed_version       TEXT,               -- latest charter version with a collected signature
    first_seq            INTEGER NOT NULL,
    last_seq             INTEGER NOT NULL
) STRICT;
