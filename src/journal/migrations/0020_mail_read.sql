-- The messages of the coordination's mailbox that `charte collect --imap`
-- read (issue 21): a projection of the mail-read events, replayed and
-- compared by `charte audit`. A message is keyed by its Message-ID (or
-- `sha256:HEX` of its bytes when it has none): one read, never a second.
CREATE TABLE mail_read (
    message_id TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,   -- the mail-read entry
    outcome    TEXT NOT NULL,      -- collected, duplicate, waiting, known, refused, not-a-return
    reason     TEXT                -- why it was refused
) STRICT;
