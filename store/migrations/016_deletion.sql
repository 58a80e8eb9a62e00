-- Deleting an account or a database.

-- actor_email: the address of an event's actor whose account was deleted (actor_id is
-- then NULL), so that Activity still says who did it.
ALTER TABLE events ADD COLUMN actor_email TEXT NOT NULL DEFAULT '';

-- The IDs of deleted accounts: a new account never takes one (SQLite would reuse the
-- highest), so nothing that still names an old ID, such as a session cookie, can open it.
CREATE TABLE deleted_users (
    id         INTEGER PRIMARY KEY,
    deleted_at INTEGER NOT NULL
);

-- The invitation links (hashes only) of deleted databases, so that such a link says the
-- database no longer exists rather than that it is not valid.
CREATE TABLE deleted_database_links (
    token_hash    BLOB PRIMARY KEY,
    database_name TEXT NOT NULL,
    deleted_at    INTEGER NOT NULL
);
