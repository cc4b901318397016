-- Every message charte sends, keyed by its deterministic Message-ID: journaled
-- as intended before it is handed to the server, then as sent or bounced.
CREATE TABLE messages (
    message_id        TEXT PRIMARY KEY,
    purpose           TEXT NOT NULL,   -- convocation, adherence, reminder, ...
    subject           TEXT NOT NULL,   -- the meeting id, the document id, ...
    enterprise_number TEXT NOT NULL,
    address           TEXT NOT NULL,
    state             TEXT NOT NULL,   -- intended, sent, bounced
    reason            TEXT,            -- why it bounced
    seq               INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_subject ON messages (subject);

-- Convocations sent with less notice than the body's rule (--late).
CREATE TABLE late_convocations (
    meeting   TEXT PRIMARY KEY REFERENCES meetings (id),
    reason    TEXT NOT NULL,
    clear_days INTEGER NOT NULL,
    required  INTEGER NOT NULL,
    at        TEXT NOT NULL,
    seq       INTEGER NOT NULL
) STRICT;
