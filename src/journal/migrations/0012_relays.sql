-- `charte outbox send`: a message the outbox transport wrote (a row of
-- messages, state 'sent') sent on through [mail.smtp] as written, journaled
-- as intended before the hand-over, then as relayed or bounced. One row per
-- message: a message is sent on once.
CREATE TABLE relays (
    message_id TEXT PRIMARY KEY REFERENCES messages (message_id),
    state      TEXT NOT NULL,   -- intended, relayed, bounced
    sha256     TEXT NOT NULL,   -- of the .eml handed over
    reason     TEXT,            -- why it bounced
    seq        INTEGER NOT NULL
) STRICT;
