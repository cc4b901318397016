-- The year's expense and staff lines (`charte expenses import`): one import
-- per year holds; a later import of the same year replaces its lines.
CREATE TABLE expense_imports (
    year     INTEGER PRIMARY KEY,
    file     TEXT NOT NULL,      -- the file's name as given
    sha256   TEXT NOT NULL,      -- of its bytes
    replaced TEXT,               -- the sha256 of the import it replaced
    lines    INTEGER NOT NULL,
    at       TEXT NOT NULL,
    seq      INTEGER NOT NULL
) STRICT;

CREATE TABLE expenses (
    year        INTEGER NOT NULL,
    line        INTEGER NOT NULL,   -- its line in the file
    date        TEXT NOT NULL,      -- YYYY-MM-DD
    category    TEXT NOT NULL,      -- staff, running, project
    description TEXT NOT NULL,
    cents       INTEGER NOT NULL,
    document    TEXT NOT NULL,      -- the supporting document's reference
    person      TEXT,
    fte         REAL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (year, line)
) STRICT;
