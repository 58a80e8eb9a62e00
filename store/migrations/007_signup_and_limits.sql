-- Sign-up confirms the e-mail address; a departing member's pending invitations are
-- cancelled; invitation e-mails are limited per sender and per recipient.

-- verified_at: when the address was confirmed (NULL: the account cannot log in yet).
-- confirm_hash: SHA-256 of the current confirmation link's secret, cleared once used.
-- confirm_sent_at: when that link was e-mailed (it expires a day later).
ALTER TABLE users ADD COLUMN verified_at INTEGER;
ALTER TABLE users ADD COLUMN confirm_hash BLOB;
ALTER TABLE users ADD COLUMN confirm_sent_at INTEGER;
CREATE UNIQUE INDEX users_confirm_hash ON users (confirm_hash);
-- Accounts made before confirmation existed keep working.
UPDATE users SET verified_at = created_at;

-- A new event type, 'cancelled'. SQLite cannot change a CHECK constraint: the table is
-- rebuilt (no foreign key references it; the trigger of 004 that reads it goes while
-- the table is away, and comes back with its own triggers).
DROP TRIGGER users_version_on_update;
CREATE TABLE events_new (
    id          INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    type        TEXT NOT NULL CHECK (type IN ('invited', 'resent', 'accepted', 'expired', 'revoked', 'left', 'cancelled')),
    actor_id    INTEGER REFERENCES users (id),
    target      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
INSERT INTO events_new (id, database_id, type, actor_id, target, at)
    SELECT id, database_id, type, actor_id, target, at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_by_database ON events (database_id, at DESC, id DESC);
-- Dropping the old table dropped its triggers (004): the tab's version moves with events.
CREATE TRIGGER users_version_on_update AFTER UPDATE OF email, username ON users
BEGIN
    UPDATE databases SET version = version + 1
    WHERE id IN (SELECT database_id FROM collaborators WHERE user_id = NEW.id OR invited_by = NEW.id)
       OR id IN (SELECT database_id FROM events WHERE actor_id = NEW.id);
END;
CREATE TRIGGER events_version_on_insert AFTER INSERT ON events
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = NEW.database_id;
END;
CREATE TRIGGER events_version_on_update AFTER UPDATE ON events
BEGIN
    UPDATE databases SET version = version + 1 WHERE id IN (OLD.database_id, NEW.database_id);
END;
CREATE TRIGGER events_version_on_delete AFTER DELETE ON events
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = OLD.database_id;
END;
-- The invitation e-mails one account sent, and one address received, in a window.
CREATE INDEX events_sent_by ON events (actor_id, at) WHERE type IN ('invited', 'resent');
CREATE INDEX events_sent_to ON events (target, at) WHERE type IN ('invited', 'resent');

-- Pending invitations whose inviter no longer collaborates end now, as they would have
-- when the inviter left.
INSERT INTO events (database_id, type, actor_id, target, at)
    SELECT m.database_id, 'cancelled', m.invited_by, m.email, CAST(unixepoch('subsec') * 1000000 AS INTEGER)
    FROM collaborators m
    WHERE m.status = 'pending' AND m.invited_by IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM collaborators i
        WHERE i.database_id = m.database_id AND i.user_id = m.invited_by AND i.status IN ('owner', 'accepted'));
UPDATE collaborators SET status = 'revoked', ended_at = CAST(unixepoch('subsec') * 1000000 AS INTEGER)
    WHERE status = 'pending' AND invited_by IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM collaborators i
        WHERE i.database_id = collaborators.database_id AND i.user_id = collaborators.invited_by AND i.status IN ('owner', 'accepted'));
