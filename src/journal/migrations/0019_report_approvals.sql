-- `charte report approve`: which body meeting approved which report file.
-- Every approval is kept; one holds while its file is the report's latest.
CREATE TABLE report_approvals (
    seq           INTEGER PRIMARY KEY,
    report        TEXT NOT NULL,   -- annual-report, subsidy-report
    year          INTEGER NOT NULL,
    meeting       TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    sealed_sha256 TEXT NOT NULL,
    at            TEXT NOT NULL
) STRICT;
