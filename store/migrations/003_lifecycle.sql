-- Invitation lifecycle: expiry counts from the last time a link was e-mailed; a resend
-- replaces the link; every membership change is an event.

-- sent_at: when the current link was last e-mailed (expiry counts from it).
-- email_id: that e-mail in the outbox, for its delivery state.
-- expiry_recorded_at: set once the "expired" event of the current link is recorded.
ALTER TABLE collaborators ADD COLUMN sent_at INTEGER;
ALTER TABLE collaborators ADD COLUMN email_id INTEGER REFERENCES outbox (id);
ALTER TABLE collaborators ADD COLUMN expiry_recorded_at INTEGER;
UPDATE collaborators SET sent_at = invited_at;
CREATE INDEX collaborators_pending_sent ON collaborators (sent_at) WHERE status = 'pending';

-- Links replaced by a resend, so that an old link can say so.
CREATE TABLE replaced_tokens (
    token_hash      BLOB PRIMARY KEY,
    collaborator_id INTEGER NOT NULL REFERENCES collaborators (id),
    replaced_at     INTEGER NOT NULL
);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    type        TEXT NOT NULL CHECK (type IN ('invited', 'resent', 'accepted', 'expired', 'revoked', 'left')),
    actor_id    INTEGER REFERENCES users (id),
    target      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX events_by_database ON events (database_id, at DESC, id DESC);
