-- reply_to: where a reply to the e-mail goes, such as the inviter of an invitation;
-- empty for e-mails a reply to which nobody reads.
ALTER TABLE outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
