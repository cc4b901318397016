-- A confirmation revoked (`charte returns revoke`) no longer deletes the
-- adherence: it counted from the day it was collected to the day it was
-- revoked, and a past year's figures, made again, stay what they were.
ALTER TABLE adherences ADD COLUMN revoked TEXT;   -- the day it stopped counting; NULL while it counts
