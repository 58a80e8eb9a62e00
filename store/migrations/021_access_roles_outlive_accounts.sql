-- A member's role outlives their account: deleting an account queues the revocation of
-- its logins, and until PostgreSQL has dropped them the owner's tab lists them under
-- "Access still being removed". The rows therefore keep the address (email, written as
-- the account goes) and lose only the account (user_id NULL), instead of going with it.
-- SQLite cannot change a foreign key: the table is rebuilt as in 013, with its indexes
-- and the triggers of 014.
CREATE TABLE access_roles_new (
    id          INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    role_name   TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('granting', 'active', 'revoking')),
    verifier    TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    email       TEXT NOT NULL DEFAULT ''
);
INSERT INTO access_roles_new (id, database_id, user_id, role_name, state, verifier, attempts, last_error, created_at)
    SELECT id, database_id, user_id, role_name, state, verifier, attempts, last_error, created_at FROM access_roles;
DROP TABLE access_roles;
ALTER TABLE access_roles_new RENAME TO access_roles;
CREATE UNIQUE INDEX access_roles_live ON access_roles (database_id, user_id) WHERE state IN ('granting', 'active');
CREATE INDEX access_roles_user ON access_roles (user_id);
CREATE TRIGGER access_roles_version_on_insert AFTER INSERT ON access_roles
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = NEW.database_id;
END;
CREATE TRIGGER access_roles_version_on_update AFTER UPDATE ON access_roles
BEGIN
    UPDATE databases SET version = version + 1 WHERE id IN (OLD.database_id, NEW.database_id);
END;
CREATE TRIGGER access_roles_version_on_delete AFTER DELETE ON access_roles
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = OLD.database_id;
END;
