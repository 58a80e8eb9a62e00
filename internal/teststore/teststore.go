// Package teststore opens the store a test runs on: a SQLite file in the test's
// temporary directory by default, or, with DBCOLLAB_TEST_STORE=postgres, a fresh database
// on the test binary's throwaway PostgreSQL cluster (internal/pgtest). The suites of
// every layer above package store open their stores here, so that one switch runs them
// on either backend. Only tests import it.
package teststore

import (
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of SQL

	"dbcollab/internal/pgtest"
	"dbcollab/store"
)

// Env names the variable that chooses the backend: "postgres", or "sqlite" (the default).
const Env = "DBCOLLAB_TEST_STORE"

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return os.Getenv(Env) == "postgres" }

// Main runs a package's tests and stops its PostgreSQL cluster if one was started:
// call it from TestMain as os.Exit(teststore.Main(m)).
func Main(m *testing.M) int { return pgtest.Main(m) }

// DSN is where a fresh, empty store for tb lives: a SQLite file path, or the URL of a
// PostgreSQL database that no other running test uses, emptied when tb ends.
func DSN(tb testing.TB) string {
	tb.Helper()
	if Postgres() {
		return pgtest.PooledDatabase(tb)
	}
	return filepath.Join(tb.TempDir(), "dbcollab.db")
}

// Open opens a fresh store for tb, closed when tb ends, and returns it with its DSN.
func Open(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	dsn := DSN(tb)
	st, err := store.Open(dsn)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, dsn
}

// SQL opens another pool on the store at dsn, for tests that look at its tables as
// stored. Placeholders are written $1, $2…: both backends read them.
func SQL(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	driver, source := "pgx", dsn
	if !Postgres() {
		driver, source = "sqlite", "file:"+(&url.URL{Path: dsn}).EscapedPath()+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Tables lists the tables of the store db is open on, by name.
func Tables(tb testing.TB, db *sql.DB) []string {
	tb.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if Postgres() {
		query = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
	}
	rows, err := db.Query(query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return names
}

// SQLiteOnly skips tb on PostgreSQL: the test looks at what only SQLite has (its
// files, triggers written in its dialect), and why says what.
func SQLiteOnly(tb testing.TB, why string) {
	tb.Helper()
	if Postgres() {
		tb.Skipf("SQLite only: %s", why)
	}
}
