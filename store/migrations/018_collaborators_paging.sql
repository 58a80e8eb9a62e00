-- A page of the Collaborators tab: the live rows in the tab's order (owner first, then by
-- ID), read in that order so that the first page of a large database stops at its 50th
-- row instead of sorting them all. (An index on (database_id, status) would serve the
-- status filter, but SQLite then takes it for the membership check, which every view
-- runs, and reads every row of a 10,000-row database there: 2.5 ms instead of 0.1.)
CREATE INDEX collaborators_live_order
    ON collaborators (database_id, status <> 'owner', id) WHERE status IN ('owner', 'pending', 'accepted');

-- live_rows is the number of live rows (owner, pending, accepted) of the database, kept
-- by triggers in the transaction of every change, so that the tab says "of 10,000"
-- without counting 10,000 index entries on every view.
ALTER TABLE databases ADD COLUMN live_rows INTEGER NOT NULL DEFAULT 0;
UPDATE databases SET live_rows = (SELECT count(*) FROM collaborators c
    WHERE c.database_id = databases.id AND c.status IN ('owner', 'pending', 'accepted'));

CREATE TRIGGER collaborators_live_rows_on_insert AFTER INSERT ON collaborators
    WHEN NEW.status IN ('owner', 'pending', 'accepted')
BEGIN
    UPDATE databases SET live_rows = live_rows + 1 WHERE id = NEW.database_id;
END;
CREATE TRIGGER collaborators_live_rows_on_update AFTER UPDATE OF status, database_id ON collaborators
BEGIN
    UPDATE databases SET live_rows = live_rows - 1
    WHERE id = OLD.database_id AND OLD.status IN ('owner', 'pending', 'accepted');
    UPDATE databases SET live_rows = live_rows + 1
    WHERE id = NEW.database_id AND NEW.status IN ('owner', 'pending', 'accepted');
END;
CREATE TRIGGER collaborators_live_rows_on_delete AFTER DELETE ON collaborators
    WHEN OLD.status IN ('owner', 'pending', 'accepted')
BEGIN
    UPDATE databases SET live_rows = live_rows - 1 WHERE id = OLD.database_id;
END;
