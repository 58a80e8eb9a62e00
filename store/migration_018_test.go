package store

import "testing"

// TestMigration018CountsTheLiveRowsOfExistingDatabases: a database from before the
// counter says its live rows at once (the owner, an accepted and a pending row; not a
// revoked one), and the triggers keep the count from there.
func TestMigration018CountsTheLiveRowsOfExistingDatabases(t *testing.T) {
	sqliteOnly(t, "migrates an old SQLite file")
	s := openMigratedFrom007(t,
		`INSERT INTO users (id, email, username, password_hash, created_at) VALUES (1, 'owner@example.com', 'owner', 'x', 1), (2, 'bob@example.com', 'bob', 'x', 1)`,
		`INSERT INTO databases (id, name, plan, owner_id, created_at) VALUES ('db1', 'orders', 'p', 1, 1), ('db2', 'empty', 'p', 1, 1)`,
		`INSERT INTO collaborators (database_id, email, user_id, status, invited_by, invited_at, sent_at) VALUES
			('db1', 'owner@example.com', 1, 'owner', NULL, 1, NULL),
			('db1', 'bob@example.com', 2, 'accepted', 1, 1, 1),
			('db1', 'carol@example.com', NULL, 'pending', 1, 1, 1),
			('db1', 'dan@example.com', NULL, 'revoked', 1, 1, 1)`,
	)
	for id, want := range map[string]int{"db1": 3, "db2": 0} {
		if _, total := pageOf(t, s, Database{ID: id}, RowFilter{Limit: 1}); total != want {
			t.Errorf("%s: the page says %d live rows, want %d", id, total, want)
		}
	}
	insertRow(t, s, Collaborator{DatabaseID: "db1", Email: "erin@example.com", Status: StatusPending, InvitedAt: testClock})
	if _, total := pageOf(t, s, Database{ID: "db1"}, RowFilter{}); total != 4 {
		t.Errorf("after one more invitation the page says %d live rows, want 4", total)
	}
}
