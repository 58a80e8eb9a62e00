-- A new event type, 'transferred': the owner handed the database to a collaborator.
-- SQLite cannot change a CHECK constraint: the table is rebuilt as in 007 (the trigger
-- of 004 that reads it goes while the table is away, and comes back with its own).
DROP TRIGGER users_version_on_update;
CREATE TABLE events_new (
    id          INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    type        TEXT NOT NULL CHECK (type IN ('invited', 'resent', 'accepted', 'expired', 'revoked', 'left', 'cancelled', 'transferred')),
    actor_id    INTEGER REFERENCES users (id),
    target      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
INSERT INTO events_new (id, database_id, type, actor_id, target, at)
    SELECT id, database_id, type, actor_id, target, at FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_by_database ON events (database_id, at DESC, id DESC);
CREATE INDEX events_sent_by ON events (actor_id, at) WHERE type IN ('invited', 'resent');
CREATE INDEX events_sent_to ON events (target, at) WHERE type IN ('invited', 'resent');
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
