-- Times are Unix microseconds (UTC).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE databases (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    plan       TEXT NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);

-- One row per person given access to a database, the owner included, so that the
-- Collaborators table is one ordered query. Revoked and left rows stay as history and
-- keep their invitation token hash, so an old link can say what happened to it.
CREATE TABLE collaborators (
    id          INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    status      TEXT NOT NULL CHECK (status IN ('owner', 'pending', 'accepted', 'revoked', 'left')),
    invited_by  INTEGER REFERENCES users (id),
    token_hash  BLOB UNIQUE,
    invited_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    ended_at    INTEGER
);

-- At most one live row per address and database: duplicate invitations are impossible,
-- whatever the concurrency.
CREATE UNIQUE INDEX collaborators_live_email
    ON collaborators (database_id, email) WHERE status IN ('owner', 'pending', 'accepted');
CREATE INDEX collaborators_user ON collaborators (user_id, status);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
