-- Who is sending a message right now (crate::delivery): not a projection
-- and not history, the one table the journal does not derive. A run claims
-- a message, under the write lock, before handing it over, and drops the
-- claim with the entry that settles it (sent, bounced). Another run that
-- finds a live claim leaves the message to its owner; a claim whose owner
-- is gone (its process ended, or its lease ran out) is taken over, and the
-- message is sent again under the same Message-ID.
CREATE TABLE claims (
    stage      TEXT NOT NULL,    -- send, relay
    message_id TEXT NOT NULL,
    owner      TEXT NOT NULL,    -- the run: process id, start instant, random
    pid        INTEGER NOT NULL, -- the owner's process on this machine
    expires    INTEGER NOT NULL, -- unix seconds: the lease's end
    PRIMARY KEY (stage, message_id)
) STRICT;
