package store

import (
	"context"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"dbcollab/internal/pgtest"
)

// openPostgresStore opens a new, migrated PostgreSQL database, whatever
// DBCOLLAB_TEST_STORE says.
func openPostgresStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(pgtest.Database(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresKeepsUsersDatabasesAndCollaborators(t *testing.T) {
	s := openPostgresStore(t)
	ctx := context.Background()
	alice := createUser(t, s, "alice@example.com", "alice")
	bob := createUser(t, s, "bob@example.com", "bob")
	if alice.ID == 0 || bob.ID != alice.ID+1 {
		t.Fatalf("IDs = %d, %d; want consecutive from 1", alice.ID, bob.ID)
	}
	d := createDatabase(t, s, "db_1", "orders", alice)
	owner := Collaborator{DatabaseID: d.ID, Email: alice.Email, UserID: alice.ID, Status: StatusOwner, InvitedAt: testClock}
	member := Collaborator{DatabaseID: d.ID, Email: bob.Email, Status: StatusPending, InvitedBy: alice.ID,
		TokenHash: []byte("hash"), InvitedAt: testClock, SentAt: testClock}
	if err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.InsertCollaborator(ctx, &owner); err != nil {
			return err
		}
		return tx.InsertCollaborator(ctx, &member)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.AcceptInvitation(ctx, member.ID, bob.ID, testClock) }); err != nil {
		t.Fatal(err)
	}

	got, err := s.DatabaseForMember(ctx, "orders", bob.ID)
	if err != nil || got.ID != d.ID || got.Owner.Username != "alice" {
		t.Fatalf("DatabaseForMember(bob) = %+v, %v; want orders owned by alice", got, err)
	}
	list, err := s.Collaborators(ctx, d.ID)
	if err != nil || len(list) != 2 || list[0].Status != StatusOwner || list[1].Username != "bob" || list[1].Status != StatusAccepted {
		t.Fatalf("Collaborators = %+v, %v; want alice the owner, then bob accepted", list, err)
	}
	if !list[1].InvitedAt.Equal(testClock) || string(list[1].TokenHash) != "hash" {
		t.Errorf("bob's row = %+v; want the time and token hash stored", list[1])
	}
	if got.Version == 0 {
		t.Errorf("version = 0 after three writes; want the triggers to move it")
	}
}

// postgresPlan is PostgreSQL's plan of query, made with sequential scans as costly as
// they can be: on tables of a few rows it would choose one whatever the indexes, and a
// sequential scan left in the plan then says that no index serves the query.
func postgresPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `RESET enable_seqscan`)
	rows, err := conn.QueryContext(ctx, `EXPLAIN `+rebind(query), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}

// Instances starting together on an empty database migrate it once: the advisory lock
// makes the others wait, and they find every migration recorded.
func TestPostgresInstancesStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.Database(t)
	const instances = 6
	stores := make([]*Store, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Go(func() { stores[i], errs[i] = Open(url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: Open: %v", i, err)
		}
		defer stores[i].Close()
	}
	var applied []string
	rows, err := stores[0].q.QueryContext(context.Background(), `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		applied = append(applied, name)
	}
	want, _ := fs.Glob(migrations, "migrations/postgres/*.sql")
	if len(applied) != len(want) {
		t.Errorf("schema_migrations = %q after %d instances started, want each of the %d migrations once", applied, instances, len(want))
	}
	createUser(t, stores[instances-1], "alice@example.com", "alice")
	if n, err := stores[0].CountUsers(context.Background()); err != nil || n != 1 {
		t.Errorf("CountUsers on another instance = %d, %v; want 1", n, err)
	}
}
