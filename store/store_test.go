package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"dbcollab/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// onPostgres: DBCOLLAB_TEST_STORE=postgres runs the store's tests on PostgreSQL.
var onPostgres = os.Getenv("DBCOLLAB_TEST_STORE") == "postgres"

// openTestStore opens a fresh store, closed at the end: a SQLite file in the test's temp
// dir, or with DBCOLLAB_TEST_STORE=postgres a new PostgreSQL database (its URL returned
// in place of the path).
func openTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "dbcollab.db")
	if onPostgres {
		dsn = pgtest.Database(t)
	}
	s, err := Open(dsn)
	if err != nil {
		t.Fatalf("Open(%s): %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// sqliteOnly skips a test of what only SQLite has.
func sqliteOnly(t testing.TB, why string) {
	t.Helper()
	if onPostgres {
		t.Skip("SQLite only: " + why)
	}
}

// testClock is a fixed instant with microsecond precision, the precision times are stored with.
var testClock = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func createUser(t testing.TB, s *Store, email, username string) User {
	t.Helper()
	u := User{Email: email, Username: username, PasswordHash: "x", CreatedAt: testClock}
	if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.CreateUser(context.Background(), &u) }); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func createDatabase(t testing.TB, s *Store, id, name string, owner User) Database {
	t.Helper()
	d := Database{ID: id, Name: name, Plan: "plan", OwnerID: owner.ID, CreatedAt: testClock}
	if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.CreateDatabase(context.Background(), d) }); err != nil {
		t.Fatalf("CreateDatabase(%s): %v", name, err)
	}
	return d
}

// appliedMigrations lists the migrations the store records as applied.
func appliedMigrations(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatalf("schema_migrations: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrationsApplyOnceAndReopenKeepsData(t *testing.T) {
	s, file := openTestStore(t)
	paths, err := fs.Glob(migrations, s.migrationsGlob())
	if err != nil || len(paths) == 0 {
		t.Fatalf("embedded migrations: %v %v", paths, err)
	}
	var want []string
	for _, p := range paths {
		want = append(want, path.Base(p))
	}
	slices.Sort(want)

	if got := appliedMigrations(t, s); !slices.Equal(got, want) {
		t.Fatalf("applied after first open = %q, want every embedded migration %q", got, want)
	}
	alice := createUser(t, s, "alice@example.com", "alice")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		again, err := Open(file)
		if err != nil {
			t.Fatalf("re-open applied a migration twice: %v", err)
		}
		if got := appliedMigrations(t, again); !slices.Equal(got, want) {
			t.Errorf("applied after re-open = %q, want %q", got, want)
		}
		if u, err := again.UserByID(context.Background(), alice.ID); err != nil || u.Email != alice.Email {
			t.Errorf("after re-open UserByID = %+v, %v; want alice kept", u, err)
		}
		again.Close()
	}
}

func TestEveryPooledConnectionHasWALForeignKeysAndBusyTimeout(t *testing.T) {
	sqliteOnly(t, "PRAGMAs")
	s, _ := openTestStore(t)
	ctx := context.Background()
	// Holding several connections at once forces the pool to open new ones.
	for i := range 4 {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var journal string
		var foreignKeys, busyTimeout int
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&foreignKeys); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busyTimeout); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || foreignKeys != 1 || busyTimeout <= 0 {
			t.Errorf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d; want wal, 1, > 0",
				i, journal, foreignKeys, busyTimeout)
		}
	}
}

func TestForeignKeysRefuseRowsOfUnknownDatabases(t *testing.T) {
	s, _ := openTestStore(t)
	err := s.Tx(context.Background(), func(tx WriteTx) error {
		return tx.InsertCollaborator(context.Background(), &Collaborator{
			DatabaseID: "db_missing", Email: "a@example.com", Status: StatusPending, InvitedAt: testClock,
		})
	})
	if err == nil {
		t.Fatal("a collaborator of a database that does not exist was stored")
	}
}

func TestTxRollsBackWhenFnFails(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	refused := errors.New("refused")
	err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.CreateUser(ctx, &User{Email: "alice@example.com", Username: "alice", CreatedAt: testClock}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Tx = %v, want fn's error", err)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Errorf("CountUsers after rollback = %d, %v; want 0", n, err)
	}
}

func TestTxRollsBackWhenFnPanics(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		s.Tx(ctx, func(tx WriteTx) error {
			if err := tx.CreateUser(ctx, &User{Email: "alice@example.com", Username: "alice", CreatedAt: testClock}); err != nil {
				return err
			}
			panic("a bug inside a transaction")
		})
	}()
	// A transaction left open would hold the write lock: this write would wait for the
	// busy timeout, then fail.
	start := time.Now()
	if err := s.Tx(ctx, func(tx WriteTx) error {
		return tx.CreateUser(ctx, &User{Email: "bob@example.com", Username: "bob", CreatedAt: testClock})
	}); err != nil {
		t.Fatalf("the next transaction after a panic: %v (after %v)", err, time.Since(start))
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Errorf("CountUsers = %d, %v; want bob only, alice rolled back", n, err)
	}
}

func TestCreateUserRefusesTakenEmailAndUsername(t *testing.T) {
	s, _ := openTestStore(t)
	createUser(t, s, "alice@example.com", "alice")
	for _, u := range []User{
		{Email: "alice@example.com", Username: "other"},
		{Email: "other@example.com", Username: "ALICE"},
	} {
		u.PasswordHash, u.CreatedAt = "x", testClock
		if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.CreateUser(context.Background(), &u) }); !errors.Is(err, ErrDuplicate) {
			t.Errorf("CreateUser(%s, %s) = %v, want ErrDuplicate", u.Email, u.Username, err)
		}
	}
}
