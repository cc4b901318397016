-- Signed adherences collected: one row per returned file accepted.
CREATE TABLE adherences (
    file_sha256       TEXT PRIMARY KEY,   -- the returned file: collecting it again changes nothing
    document_id       TEXT NOT NULL,
    enterprise_number TEXT NOT NULL,
    charter_version   TEXT NOT NULL,
    method            TEXT NOT NULL,      -- own-key, pades, scan
    signer            TEXT NOT NULL,      -- key fingerprint, certificate name, or the attesting coordinator
    signed            TEXT,               -- the day the organisation signed, when known
    sealed_sha256     TEXT NOT NULL,      -- the issued file the signature covers
    details           TEXT NOT NULL,      -- JSON: what else was checked
    at                TEXT NOT NULL,
    seq               INTEGER NOT NULL
) STRICT;
CREATE INDEX adherences_org ON adherences (enterprise_number, charter_version);
