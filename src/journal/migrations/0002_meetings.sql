-- Meetings of the bodies and who attended them (projections of the journal).
CREATE TABLE meetings (
    id        TEXT PRIMARY KEY,   -- <body>-<date>[-n]
    body      TEXT NOT NULL,      -- plenary, committee or a working group's key
    date      TEXT NOT NULL,      -- YYYY-MM-DD
    time      TEXT,               -- HH:MM
    place     TEXT,
    title     TEXT,
    agenda    TEXT NOT NULL,      -- JSON array of items
    cancelled TEXT,               -- the reason, when cancelled
    seq       INTEGER NOT NULL
) STRICT;
CREATE INDEX meetings_body_date ON meetings (body, date);

CREATE TABLE attendance (
    meeting           TEXT NOT NULL REFERENCES meetings (id),
    enterprise_number TEXT NOT NULL REFERENCES organisations (enterprise_number),
    person            TEXT NOT NULL,   -- '' when the row names no person
    status            TEXT NOT NULL,   -- present, excused, absent
    seq               INTEGER NOT NULL,
    PRIMARY KEY (meeting, enterprise_number, person)
) STRICT;
CREATE INDEX attendance_org ON attendance (enterprise_number);
