-- Several instances on one store (issue 13): see the SQLite migration of the same name.

ALTER TABLE outbox ADD COLUMN claimed_until bigint;
ALTER TABLE outbox ADD COLUMN claimed_by text NOT NULL DEFAULT '';

-- A claim changes nothing the Collaborators tab shows: only the other columns move the
-- database's version.
DROP TRIGGER outbox_version ON outbox;
CREATE TRIGGER outbox_version
    AFTER UPDATE OF to_addr, reply_to, subject, text_body, html_body, attempts, next_attempt_at, last_error, sent_at, failed_at
    OR DELETE ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_version();

CREATE TABLE throttle_failures (
    key   bytea PRIMARY KEY,
    count integer NOT NULL,
    at    bigint NOT NULL
);
CREATE INDEX throttle_failures_at ON throttle_failures (at);

CREATE TABLE throttle_known (
    key bytea PRIMARY KEY,
    at  bigint NOT NULL
);
CREATE INDEX throttle_known_at ON throttle_known (at);
