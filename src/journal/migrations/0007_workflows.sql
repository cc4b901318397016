-- The workflow runner's record: which subjects entered which workflow, each
-- step's effect keyed by (workflow, subject, step, attempt) — a second
-- record of the same key is refused by the primary key, so no effect is
-- ever recorded twice — each run, and the flags workflows raised.
CREATE TABLE workflow_subjects (
    workflow  TEXT NOT NULL,
    subject   TEXT NOT NULL,
    label     TEXT NOT NULL,
    entered   TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (workflow, subject)
) STRICT;

CREATE TABLE workflow_steps (
    workflow  TEXT NOT NULL,
    subject   TEXT NOT NULL,
    step      TEXT NOT NULL,
    attempt   INTEGER NOT NULL,
    outcome   TEXT NOT NULL,
    at        TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (workflow, subject, step, attempt)
) STRICT;

CREATE TABLE workflow_runs (
    seq       INTEGER PRIMARY KEY,
    workflow  TEXT NOT NULL,
    steps     INTEGER NOT NULL,
    at        TEXT NOT NULL
) STRICT;

CREATE TABLE raised_flags (
    seq               INTEGER PRIMARY KEY,
    rule              TEXT NOT NULL,
    enterprise_number TEXT NOT NULL,
    subject           TEXT NOT NULL,   -- the workflow subject, e.g. 0123456749@2022-02
    evidence          TEXT NOT NULL,   -- in English, for the coordinator
    evidence_fr       TEXT NOT NULL,   -- and for the organisation's letter
    evidence_nl       TEXT NOT NULL,
    at                TEXT NOT NULL
) STRICT;
