-- At most one update of a database's row per change instead of up to three (an
-- invitation moved the version for its row, again for its event, and counted the live
-- row apart): fewer writes in the transactions that hold the writer gate, and fewer dead
-- versions of the one row every page of the database reads.
--
-- Every update of a databases row moves its version (these triggers and
-- databases_version_on_update), so a row this transaction has updated already has a
-- version no other transaction has seen: the tabs' cache needs the version moved once
-- per transaction, not once per change. xmin is the transaction that wrote the row's
-- current version.

CREATE OR REPLACE FUNCTION bump_database_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE databases SET version = version + 1
        WHERE id = NEW.database_id AND xmin <> pg_current_xact_id()::xid;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE databases SET version = version + 1
        WHERE id IN (OLD.database_id, NEW.database_id) AND xmin <> pg_current_xact_id()::xid;
    ELSE
        UPDATE databases SET version = version + 1
        WHERE id = OLD.database_id AND xmin <> pg_current_xact_id()::xid;
    END IF;
    RETURN NULL;
END $$;

-- A collaborator row moves its database's version and live_rows in one update.
CREATE FUNCTION collaborators_counters() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live int := CASE WHEN TG_OP <> 'INSERT' AND OLD.status IN ('owner', 'pending', 'accepted') THEN 1 ELSE 0 END;
    is_live  int := CASE WHEN TG_OP <> 'DELETE' AND NEW.status IN ('owner', 'pending', 'accepted') THEN 1 ELSE 0 END;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.database_id <> NEW.database_id THEN
        UPDATE databases SET version = version + 1, live_rows = live_rows - was_live WHERE id = OLD.database_id;
        UPDATE databases SET version = version + 1, live_rows = live_rows + is_live WHERE id = NEW.database_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE databases SET version = version + 1, live_rows = live_rows - was_live WHERE id = OLD.database_id;
    ELSE
        UPDATE databases SET version = version + 1, live_rows = live_rows + is_live - was_live WHERE id = NEW.database_id;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER collaborators_version ON collaborators;
DROP TRIGGER collaborators_live_rows_on_insert ON collaborators;
DROP TRIGGER collaborators_live_rows_on_update ON collaborators;
DROP TRIGGER collaborators_live_rows_on_delete ON collaborators;
DROP FUNCTION collaborators_live_rows();
CREATE TRIGGER collaborators_counters AFTER INSERT OR UPDATE OR DELETE ON collaborators
    FOR EACH ROW EXECUTE FUNCTION collaborators_counters();
