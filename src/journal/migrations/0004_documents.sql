-- Sealed documents issued to organisations (adherence documents), one row
-- per revision; the latest revision per organisation and charter version is
-- the one in force.
CREATE TABLE documents (
    document_id       TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,     -- adherence, ...
    enterprise_number TEXT NOT NULL,
    charter_version   TEXT NOT NULL,
    inputs_sha256     TEXT NOT NULL,     -- what was rendered: same inputs, no new document
    sha256            TEXT NOT NULL,     -- of the rendered bytes (the sealed prefix)
    sealed_sha256     TEXT NOT NULL,     -- of the whole sealed file
    length            INTEGER NOT NULL,
    file              TEXT NOT NULL,     -- relative to the workspace
    issued            TEXT NOT NULL,
    seq               INTEGER NOT NULL
) STRICT;
CREATE INDEX documents_org ON documents (enterprise_number, charter_version);
