// Package teststore opens the store a test runs on: a SQLite file in the test's
// temporary directory by default, or, with DBCOLLAB_TEST_STORE=postgres, a fresh database
// on the test binary's throwaway PostgreSQL cluster (internal/pgtest). The suites of
// every layer above package store open their stores here, so that one switch runs them
// on either backend. Only tests import it.
package teststore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
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
		return postgresDSN(tb)
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

// pool holds the PostgreSQL databases of tests that have ended, emptied: making a
// database costs 0.3–0.7 s on this machine (CREATE DATABASE, from a template or not),
// emptying one about 20 ms. Tests of a package run one at a time, so a handful serve
// them all.
var pool struct {
	sync.Mutex
	free []*database
}

// database is a database of the cluster, with a superuser's connection that empties it.
type database struct {
	url   string
	admin *pgx.Conn
}

// postgresDSN is a free database of the pool, or a new one, given back emptied when tb ends.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	pool.Lock()
	var d *database
	if n := len(pool.free); n > 0 {
		d, pool.free = pool.free[n-1], pool.free[:n-1]
	}
	pool.Unlock()
	if d == nil {
		var err error
		if d, err = newDatabase(pgtest.Start(tb)); err != nil {
			tb.Fatalf("teststore: %v", err)
		}
	}
	// Registered before the store's Close, so it runs after it.
	tb.Cleanup(func() {
		if err := d.empty(); err != nil {
			tb.Logf("teststore: %s is not reused: %v", d.url, err)
			d.admin.Close(context.Background())
			return
		}
		pool.Lock()
		pool.free = append(pool.free, d)
		pool.Unlock()
	})
	return d.url
}

func newDatabase(c *pgtest.Cluster) (*database, error) {
	ctx := context.Background()
	b := make([]byte, 8)
	rand.Read(b)
	name := "store_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return nil, err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	conn.Close(ctx)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(c.AdminURL())
	if err != nil {
		return nil, err
	}
	// The test cluster has no TLS: not asking for it saves a round trip per connection.
	u.Path, u.RawQuery = "/"+name, "sslmode=disable"
	d := &database{url: u.String()}
	if d.admin, err = pgx.Connect(ctx, d.url); err != nil {
		return nil, err
	}
	return d, nil
}

// empty deletes every row but the record of the migrations applied, and starts every
// sequence again, as in a new database. It runs as a replica would apply rows, so that
// neither foreign keys nor the store's triggers fire: DELETE costs a few milliseconds
// where TRUNCATE of every table costs hundreds.
func (d *database) empty() error {
	ctx := context.Background()
	return pgx.BeginFunc(ctx, d.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT 'DELETE FROM ' || quote_ident(tablename) FROM pg_tables
			WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'
			UNION ALL
			SELECT 'SELECT setval(' || quote_literal(quote_ident(sequencename)) || ', 1, false)' FROM pg_sequences
			WHERE schemaname = current_schema()`)
		if err != nil {
			return err
		}
		stmts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, stmt := range stmts {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}
