-- Two projections for what was read from the events' JSON until now, so
-- that every read goes through a table the store keeps (and another
-- backend could keep): the statuses organisations were given, and the
-- duplicate returns. Both are filled from the journal as it stands, so an
-- upgraded workspace reads the same as a new one.

-- Every status an organisation was given, in journal order: declared by a
-- roster import (organisation-added, organisation-changed), given by a
-- counted signature (adherence-collected, return-confirmed with a
-- new_status), restored by a revoked confirmation (return-revoked with a
-- restored_status).
CREATE TABLE status_history (
    seq               INTEGER PRIMARY KEY,   -- the entry that gave it
    at                TEXT NOT NULL,         -- YYYY-MM-DD
    enterprise_number TEXT NOT NULL,         -- 10 digits
    status            TEXT NOT NULL,         -- participant, member, partner, associate, former
    roster_change     INTEGER NOT NULL       -- 1 when a roster import changed the status to this one
                                             -- (organisation-changed with 'status' among the changed
                                             -- fields): a change to former is a departure
) STRICT;
CREATE INDEX status_history_org ON status_history (enterprise_number, seq);

INSERT INTO status_history (seq, at, enterprise_number, status, roster_change)
SELECT seq, at, replace(json_extract(payload, '$.organisation.enterprise_number'), '.', ''),
       json_extract(payload, '$.organisation.status'),
       kind = 'organisation-changed'
           AND EXISTS (SELECT 1 FROM json_each(payload, '$.changed') WHERE value = 'status')
FROM journal WHERE kind IN ('organisation-added', 'organisation-changed')
UNION ALL
SELECT seq, at, replace(json_extract(payload, '$.adherence.enterprise_number'), '.', ''),
       json_extract(payload, '$.new_status'), 0
FROM journal WHERE kind IN ('adherence-collected', 'return-confirmed')
    AND json_extract(payload, '$.new_status') IS NOT NULL
UNION ALL
SELECT seq, at, replace(json_extract(payload, '$.enterprise_number'), '.', ''),
       json_extract(payload, '$.restored_status'), 0
FROM journal WHERE kind = 'return-revoked' AND json_extract(payload, '$.restored_status') IS NOT NULL;

-- Valid returns of an adherence already counted (the `duplicate` event):
-- counted nowhere, kept so that the file is known.
CREATE TABLE duplicates (
    seq               INTEGER PRIMARY KEY,   -- its duplicate entry
    file              TEXT NOT NULL,         -- the file's name as given to collect
    file_sha256       TEXT NOT NULL,         -- collecting it again changes nothing
    document_id       TEXT NOT NULL,
    enterprise_number TEXT NOT NULL,
    charter_version   TEXT NOT NULL,
    duplicate_of      TEXT NOT NULL,         -- the file_sha256 of the adherence that counts
    at                TEXT NOT NULL
) STRICT;
CREATE INDEX duplicates_file ON duplicates (file_sha256);

INSERT INTO duplicates (seq, file, file_sha256, document_id, enterprise_number, charter_version, duplicate_of, at)
SELECT seq, json_extract(payload, '$.file'), json_extract(payload, '$.adherence.file_sha256'),
       json_extract(payload, '$.adherence.document_id'), json_extract(payload, '$.adherence.enterprise_number'),
       json_extract(payload, '$.adherence.charter_version'), json_extract(payload, '$.duplicate_of'), at
FROM journal WHERE kind = 'duplicate';
