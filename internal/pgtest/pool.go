package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// pool holds the PostgreSQL databases of tests that have ended, emptied: making a
// database costs 0.3–0.7 s on this machine (CREATE DATABASE, from a template or not),
// emptying one about 20 ms. Tests of a package run one at a time, so a handful serve
// them all.
var pool struct {
	sync.Mutex
	free []*database
}

// database is a database of the cluster.
type database struct{ url string }

// PooledDatabase is the URL, for the superuser, of a database of the cluster that no
// running test uses: one of the pool, or a new one, given back emptied when tb ends.
// The schema stays: a store opened on it again finds its migrations applied.
func PooledDatabase(tb testing.TB) string {
	tb.Helper()
	pool.Lock()
	var d *database
	if n := len(pool.free); n > 0 {
		d, pool.free = pool.free[n-1], pool.free[:n-1]
	}
	pool.Unlock()
	if d == nil {
		var err error
		if d, err = newDatabase(Start(tb)); err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
	}
	// Registered before the Close of a store opened on it, so it runs after it.
	tb.Cleanup(func() {
		if err := d.empty(); err != nil {
			tb.Logf("pgtest: %s is not reused: %v", d.url, err)
			return
		}
		pool.Lock()
		pool.free = append(pool.free, d)
		pool.Unlock()
	})
	return d.url
}

func newDatabase(c *Cluster) (*database, error) {
	b := make([]byte, 8)
	rand.Read(b)
	name := "store_" + hex.EncodeToString(b)
	if err := c.admin(c.AdminURL(), "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	u, err := url.Parse(c.AdminURL())
	if err != nil {
		return nil, err
	}
	// The test cluster has no TLS: not asking for it saves a round trip per connection.
	u.Path, u.RawQuery = "/"+name, "sslmode=disable"
	return &database{url: u.String()}, nil
}

// empty deletes every row but the record of the migrations applied, and starts every
// sequence again, as in a new database. It runs as a replica would apply rows, so that
// neither foreign keys nor the store's triggers fire: DELETE costs a few milliseconds
// where TRUNCATE of every table costs hundreds.
// No connection is kept meanwhile: a test that keeps many stores open at once (a world
// per route) needs every connection the cluster allows.
func (d *database) empty() error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
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
