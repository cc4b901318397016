-- Committee elections (their steps are in the journal; this lists them) and
-- the seats they filled; the network's events and actions.
CREATE TABLE elections (
    id      TEXT PRIMARY KEY,   -- election-<date>[-n]
    meeting TEXT NOT NULL,      -- the plenary where it takes place
    date    TEXT NOT NULL,
    seats   INTEGER NOT NULL,   -- seats open
    seq     INTEGER NOT NULL
) STRICT;

CREATE TABLE elected_seats (
    election          TEXT NOT NULL REFERENCES elections (id),
    person            TEXT NOT NULL,
    enterprise_number TEXT NOT NULL,
    since             TEXT NOT NULL,
    until             TEXT,
    seq               INTEGER NOT NULL,
    PRIMARY KEY (election, person)
) STRICT;
CREATE INDEX elected_seats_seq ON elected_seats (seq);

CREATE TABLE actions (
    date         TEXT NOT NULL,      -- YYYY-MM-DD
    key          TEXT NOT NULL,      -- the title folded (case, accents, punctuation aside)
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL,      -- colloquium, network-day, campaign, bourse, other
    participants INTEGER,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (date, key)
) STRICT;
