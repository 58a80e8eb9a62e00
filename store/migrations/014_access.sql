-- Real PostgreSQL access (issue 9). The outbox becomes the one job queue: a row is a
-- typed job, an e-mail being kind 'email' (the table keeps its name, which other code
-- and tests read). ref names what a job other than an e-mail works on.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'email'
    CHECK (kind IN ('email', 'create_database', 'drop_database', 'grant_access', 'revoke_access'));
ALTER TABLE outbox ADD COLUMN ref TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_due_kind ON outbox (kind, next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- What dbcollab wants on the PostgreSQL server, the reconciler's reference.
-- A database's PostgreSQL name is its dbcollab name; its group role is generated.
CREATE TABLE access_databases (
    database_id TEXT PRIMARY KEY REFERENCES databases (id) ON DELETE CASCADE,
    pg_name     TEXT NOT NULL UNIQUE,
    group_role  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- One LOGIN role per owner or accepted member and database, while it should exist
-- ('granting' until PostgreSQL has it, then 'active'), and while its removal has not
-- reached PostgreSQL ('revoking'); the row goes once the role is gone. verifier is the
-- SCRAM-SHA-256 verifier of the role's password (never the password), so that a role
-- dropped by hand comes back with the same one. last_error: the last failure applying it.
-- Deleting a database or an account deletes its rows: queue the revocation or the drop
-- first (a revocation job whose row is gone still drops the role; the reconciler drops
-- any marked role left without a row).
CREATE TABLE access_roles (
    id          INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_name   TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('granting', 'active', 'revoking')),
    verifier    TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX access_roles_live ON access_roles (database_id, user_id) WHERE state IN ('granting', 'active');
CREATE INDEX access_roles_user ON access_roles (user_id);

-- The access states show on the Collaborators tab: they move its version (004).
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
