package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path"
	"path/filepath"
	"testing"
)

// openMigratedFrom007 makes a database with the migrations before 007, runs seed in it,
// then opens it as the server does, which applies 007 and every later migration.
func openMigratedFrom007(t *testing.T, seed ...string) *Store {
	t.Helper()
	return openMigratedFrom(t, "007", seed...)
}

// openMigratedFrom is openMigratedFrom007 for the migration whose name starts with first.
func openMigratedFrom(t *testing.T, first string, seed ...string) *Store {
	t.Helper()
	file, old := openBefore(t, first)
	for _, stmt := range seed {
		if _, err := old.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openBefore makes a SQLite file with every migration before first applied, as a
// database from before it would be.
func openBefore(t *testing.T, first string) (string, *sql.DB) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dbcollab.db")
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	paths, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if path.Base(p) >= first {
			continue
		}
		body, err := migrations.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, 0)`, path.Base(p)); err != nil {
			t.Fatal(err)
		}
	}
	return file, db
}

func TestMigration007VerifiesExistingAccountsAndCancelsOrphanInvitations(t *testing.T) {
	sqliteOnly(t, "migrates an old SQLite file")
	s := openMigratedFrom007(t,
		`INSERT INTO users (id, email, username, password_hash, created_at) VALUES (1, 'owner@example.com', 'owner', 'x', 1), (2, 'bob@example.com', 'bob', 'x', 1)`,
		`INSERT INTO databases (id, name, plan, owner_id, created_at) VALUES ('db1', 'orders', 'p', 1, 1)`,
		`INSERT INTO collaborators (database_id, email, user_id, status, invited_by, invited_at, sent_at) VALUES
			('db1', 'owner@example.com', 1, 'owner', NULL, 1, NULL),
			('db1', 'bob@example.com', 2, 'revoked', 1, 1, 1),
			('db1', 'alt@example.com', NULL, 'pending', 2, 1, 1),
			('db1', 'kept@example.com', NULL, 'pending', 1, 1, 1)`,
	)
	ctx := context.Background()
	for _, id := range []int64{1, 2} {
		if u, err := s.UserByID(ctx, id); err != nil || u.VerifiedAt.IsZero() {
			t.Errorf("user %d after the migration: %+v, %v; want verified", id, u, err)
		}
	}
	if _, err := s.LiveCollaboratorByEmail(ctx, "db1", "alt@example.com"); err == nil {
		t.Error("the invitation bob sent before he was revoked is still live")
	}
	if _, err := s.LiveCollaboratorByEmail(ctx, "db1", "kept@example.com"); err != nil {
		t.Errorf("the owner's invitation: %v", err)
	}
	events, err := s.Events(ctx, "db1", 10, 0)
	if err != nil || len(events) != 1 || events[0].Type != EventCancelled || events[0].ActorID != 2 || events[0].Target != "alt@example.com" {
		t.Errorf("events %+v, %v; want bob's invitation of alt cancelled", events, err)
	}
}
