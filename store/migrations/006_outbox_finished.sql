-- A delivered e-mail keeps no body (its link would let a copy of the file in), an
-- e-mail the server refused for good is failed and no longer retried, and finished rows
-- are purged after a retention period.

-- failed_at: when the SMTP server refused the e-mail for good (a 5xx answer).
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
UPDATE outbox SET text_body = '', html_body = '' WHERE sent_at IS NOT NULL;

DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_finished ON outbox (coalesce(sent_at, failed_at));
