-- Signing links (crate::links; DESIGN.md "The web application"): a
-- projection of the link-* events, replayed and compared by `charte
-- audit`. A link's id is the sequence number of its link-minted entry.
-- The token itself is never stored, only its sha256.
CREATE TABLE links (
    id                INTEGER PRIMARY KEY,  -- the link-minted entry's seq
    token_sha256      TEXT NOT NULL UNIQUE, -- hex sha256 of the 16 token bytes
    enterprise_number TEXT NOT NULL,        -- the organisation's 10 digits
    document_id       TEXT NOT NULL,
    charter_version   TEXT NOT NULL,        -- the document's
    message_id        TEXT NOT NULL,        -- the mail that carried it
    minted            TEXT NOT NULL,        -- YYYY-MM-DD
    valid_until       TEXT NOT NULL,        -- YYYY-MM-DD, the last day it opens the page
    state             TEXT NOT NULL,        -- open, used, locked, superseded
    wrong_codes       INTEGER NOT NULL,     -- wrong codes since minted or reopened
    codes_sent        INTEGER NOT NULL,
    changed_seq       INTEGER NOT NULL      -- the entry of its last change
) STRICT;
CREATE INDEX links_document ON links (document_id);

-- The code mailed for a link, while it may be typed: not a projection and
-- not history (`charte audit` leaves it out). A 6-digit code's hash in the
-- journal would give the code away to anyone who reads the journal (a
-- million tries), and its 10 minutes are wall-clock time, which the
-- journal's days do not hold. One row per link: a new code replaces the
-- previous one; a right code, or the link's lock, deletes it.
CREATE TABLE link_codes (
    link       INTEGER PRIMARY KEY,  -- links.id
    salt       BLOB NOT NULL,        -- 16 random bytes
    hash       TEXT NOT NULL,        -- hex sha256(salt || code)
    expires    INTEGER NOT NULL,     -- unix seconds
    address    TEXT NOT NULL         -- the commitment of the address it went to (personal)
) STRICT;
