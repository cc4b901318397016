-- Breaches of the charter reported by the committee, and the status the
-- committee gave each flag (flags themselves are computed, not stored).
CREATE TABLE breaches (
    seq               INTEGER PRIMARY KEY,
    enterprise_number TEXT NOT NULL,
    about             TEXT NOT NULL,
    at                TEXT NOT NULL
) STRICT;

CREATE TABLE flag_status (
    key     TEXT PRIMARY KEY,   -- rule:subject
    status  TEXT NOT NULL,      -- open, put-to-committee, resolved
    note    TEXT,
    at      TEXT NOT NULL,
    seq     INTEGER NOT NULL
) STRICT;
