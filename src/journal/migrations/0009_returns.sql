-- Returns waiting for the coordinator's confirmation (DESIGN.md: a scan, a
-- PAdES signature not chained to a trusted root or not by the
-- representative), and what the coordinator decided. A pending return
-- counts nowhere: only a confirmed one enters `adherences`; a revoked
-- confirmation leaves it again (the journal keeps both entries).
CREATE TABLE returns (
    id                INTEGER PRIMARY KEY,   -- the seq of its return-pending entry: `charte returns confirm ID`
    file              TEXT NOT NULL,         -- the file's name as given to collect
    file_sha256       TEXT NOT NULL UNIQUE,  -- collecting it again changes nothing
    document_id       TEXT NOT NULL,
    enterprise_number TEXT NOT NULL,
    charter_version   TEXT NOT NULL,
    adherence         TEXT NOT NULL,         -- JSON: the adherence it proves once confirmed
    reason            TEXT NOT NULL,         -- why it waits
    state             TEXT NOT NULL,         -- waiting, confirmed, rejected, revoked
    received          TEXT NOT NULL,
    decided           TEXT,                  -- the day of the last decision
    note              TEXT,                  -- the reason given for a rejection or a revocation
    new_status        TEXT,                  -- the status the confirmation gave, if any
    seq               INTEGER NOT NULL       -- the last entry that changed it
) STRICT;
CREATE INDEX returns_state ON returns (state, enterprise_number);
