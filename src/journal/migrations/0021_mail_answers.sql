-- The answers a refused return is owed (issue 21): the organisation whose
-- registered address is told (its 10 digits; NULL when nobody is, or for a
-- message read before this version) and why, as crate::collect::Why codes
-- it. And for a delivery report (RFC 3464), the Message-ID of the message
-- of ours it says did not arrive. A projection of the mail-read events,
-- replayed by `charte audit`.
ALTER TABLE mail_read ADD COLUMN answer_to TEXT;
ALTER TABLE mail_read ADD COLUMN why TEXT;
ALTER TABLE mail_read ADD COLUMN undelivered TEXT;
