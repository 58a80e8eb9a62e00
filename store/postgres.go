package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// migrationLock is the key of the advisory lock held while migrations apply: any
// constant other programs on the same database are unlikely to take ("dbcollab").
const migrationLock int64 = 0x6462636f6c6c6162

func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres connects to the PostgreSQL database at url and applies pending migrations.
func openPostgres(url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	s := newStore(db, true)
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// pgMaxConns bounds the connections of one instance; several instances share the
// server's max_connections (100 by default).
const pgMaxConns = 16

// writeOptions is the isolation of Tx: SERIALIZABLE on PostgreSQL, where the rules that
// read then write (limits counted, the last member kept) would otherwise race; on
// SQLite every write transaction is serializable already.
func (s *Store) writeOptions() *sql.TxOptions {
	if s.pg {
		return &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	return nil
}

// txAttempts bounds the runs of a Tx that keeps conflicting: 100 clients writing to one
// database each conflict at most once per transaction that commits before theirs.
const txAttempts = 50

// isConflict reports whether err is PostgreSQL rolling a transaction back for a
// concurrent one: a serialization failure or a deadlock.
func isConflict(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
}

func isPostgresUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// waitToRetry sleeps before run attempt+1 of a conflicting transaction: a random time
// up to 1 ms, doubling with each attempt up to 64 ms, so that the transactions that
// conflicted do not all start again together.
func waitToRetry(ctx context.Context, attempt int) error {
	ceiling := time.Millisecond << min(attempt-1, 6)
	t := time.NewTimer(rand.N(ceiling) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Redacted is dsn as it may be logged: a PostgreSQL URL without its password.
func Redacted(dsn string) string {
	if !isPostgresURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}
