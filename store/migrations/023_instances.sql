-- Several instances on one store (issue 13).

-- A runner claims an outbox row (an e-mail or a job) before working on it: claimed_by
-- names the runner, claimed_until ends its lease, renewed while the work lasts, so that
-- the row of an instance that died goes to another once the lease has passed.
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

-- A claim changes nothing the Collaborators tab shows: only the other columns move the
-- database's version.
DROP TRIGGER outbox_version_on_update;
CREATE TRIGGER outbox_version_on_update
AFTER UPDATE OF to_addr, reply_to, subject, text_body, html_body, attempts, next_attempt_at, last_error, sent_at, failed_at
ON outbox
BEGIN
    UPDATE databases SET version = version + 1
    WHERE id IN (SELECT database_id FROM collaborators WHERE email_id = NEW.id);
END;

-- The log-in, sign-up and password-reset throttles, shared by every instance. key is the
-- SHA-256 of what is counted (an account, a client address), never the address itself;
-- at is the last attempt. Rows older than their time to live mean nothing and are purged.
CREATE TABLE throttle_failures (
    key   BLOB PRIMARY KEY,
    count INTEGER NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX throttle_failures_at ON throttle_failures (at);

-- Client addresses an account was logged in to from (the command line's pass).
CREATE TABLE throttle_known (
    key BLOB PRIMARY KEY,
    at  INTEGER NOT NULL
);
CREATE INDEX throttle_known_at ON throttle_known (at);
