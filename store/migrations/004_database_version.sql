-- version moves in the transaction of every change a database's Collaborators tab shows
-- (its rows, their e-mails' delivery, its Activity, the names on them), so that a cached
-- tab is current while the version is. Triggers, so that no write can forget it.
ALTER TABLE databases ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE INDEX collaborators_email ON collaborators (email_id) WHERE email_id IS NOT NULL;

CREATE TRIGGER databases_version_on_update AFTER UPDATE OF name, plan, owner_id ON databases
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER collaborators_version_on_insert AFTER INSERT ON collaborators
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = NEW.database_id;
END;
CREATE TRIGGER collaborators_version_on_update AFTER UPDATE ON collaborators
BEGIN
    UPDATE databases SET version = version + 1 WHERE id IN (OLD.database_id, NEW.database_id);
END;
CREATE TRIGGER collaborators_version_on_delete AFTER DELETE ON collaborators
BEGIN
    UPDATE databases SET version = version + 1 WHERE id = OLD.database_id;
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

-- An invitation's delivery state shows on its row.
CREATE TRIGGER outbox_version_on_update AFTER UPDATE ON outbox
BEGIN
    UPDATE databases SET version = version + 1
    WHERE id IN (SELECT database_id FROM collaborators WHERE email_id = NEW.id);
END;
CREATE TRIGGER outbox_version_on_delete AFTER DELETE ON outbox
BEGIN
    UPDATE databases SET version = version + 1
    WHERE id IN (SELECT database_id FROM collaborators WHERE email_id = OLD.id);
END;

-- Usernames and addresses show on the rows and the Activity of every database the
-- account is on, and in the page's header.
CREATE TRIGGER users_version_on_update AFTER UPDATE OF email, username ON users
BEGIN
    UPDATE databases SET version = version + 1
    WHERE id IN (SELECT database_id FROM collaborators WHERE user_id = NEW.id OR invited_by = NEW.id)
       OR id IN (SELECT database_id FROM events WHERE actor_id = NEW.id);
END;
