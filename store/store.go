// Package store keeps dbcollab's data in SQLite (modernc.org/sqlite, no cgo), or in
// PostgreSQL (pgx through database/sql) for several instances sharing one store.
//
// Every query is written here; the rules about who may do what live in package
// service, which runs them inside one Store.Tx per change.
//
// Reads are methods of Conn (the Store's own, or a transaction's); writes are methods of
// WriteTx only, which only Store.Tx hands out: code outside a transaction cannot write.
// A new write method takes a WriteTx receiver and runs its statements with w.tx.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when a write would break a UNIQUE constraint.
var ErrDuplicate = errors.New("already exists")

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrations embed.FS

func (s *Store) migrationsGlob() string {
	if s.pg {
		return "migrations/postgres/*.sql"
	}
	return "migrations/*.sql"
}

// reader runs reads on the pool (pooled) or in a transaction (inTx) alike.
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) row
}

// perDialect is a query whose SQL differs between the backends.
type perDialect struct{ sqlite, postgres string }

func (q perDialect) of(c Conn) string {
	if c.pg {
		return q.postgres
	}
	return q.sqlite
}

// row is one row to scan, as sql.Row gives it.
type row interface{ Scan(dest ...any) error }

// Conn runs the store's reads, on the database or inside a transaction.
type Conn struct {
	q reader
	// pg: the store is PostgreSQL, for the few queries whose SQL differs there.
	pg bool
}

// WriteTx is a write transaction: its own reads, and every write of the store. Store.Tx
// is the only maker of one.
type WriteTx struct {
	Conn
	tx inTx
}

// Store is the database, SQLite or PostgreSQL. Its Conn methods run outside any
// transaction.
type Store struct {
	Conn
	db    *sql.DB
	stmts *statements
	pg    bool
	// writer holds a token while a write runs: see lockWriter.
	writer chan struct{}
	// sessionReads shares queries among concurrent SessionInDatabase (PostgreSQL).
	sessionReads *sessionReads
	// groups runs concurrent Tx in shared transactions (PostgreSQL).
	groups txGroups
}

// Open opens the store at dsn and applies pending migrations: a postgres:// or
// postgresql:// URL opens PostgreSQL, anything else is the path of a SQLite file,
// created if needed.
func Open(dsn string) (*Store, error) {
	if isPostgresURL(dsn) {
		return openPostgres(dsn)
	}
	return openSQLite(dsn)
}

func newStore(db *sql.DB, pg bool) *Store {
	s := &Store{db: db, stmts: &statements{db: db, pg: pg}, pg: pg, writer: make(chan struct{}, 1), sessionReads: newSessionReads()}
	s.Conn = Conn{q: pooled{s}, pg: pg}
	return s
}

// Close closes the database.
func (s *Store) Close() error {
	s.sessionReads.close()
	s.stmts.close()
	return s.db.Close()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Tx runs fn in one transaction: committed if fn returns nil, rolled back otherwise.
// It is the only way to write.
//
// On SQLite the transaction is IMMEDIATE: writers run one at a time. On PostgreSQL it is
// SERIALIZABLE, and when it conflicts with a concurrent one (a serialization failure or
// a deadlock) it is rolled back and fn runs again, up to txAttempts times: fn may run
// more than once, so it must do nothing outside the transaction (no e-mail sent, no
// append to a slice it did not make) and set, not accumulate, what it returns. There a
// statement that fails (a duplicate, a foreign key) also ends the transaction: fn must
// return its error rather than go on. There, too, the functions of concurrent calls may
// share one transaction, one after the other (txGroups): fn sees their writes as if
// committed before it, and must not wait for another call's.
func (s *Store) Tx(ctx context.Context, fn func(tx WriteTx) error) error {
	if s.pg {
		return s.groupTx(ctx, fn)
	}
	return s.transact(ctx, s.stmts, s.writeOptions(), fn)
}

// transact is Tx, its queries prepared through stmts, or run as text when stmts is nil,
// in a transaction of opts.
func (s *Store) transact(ctx context.Context, stmts *statements, opts *sql.TxOptions, fn func(tx WriteTx) error) error {
	for attempt := 1; ; attempt++ {
		conflict, err := s.transactOnce(ctx, stmts, opts, fn)
		if !conflict || attempt == txAttempts {
			return err
		}
		if err := waitToRetry(ctx, attempt); err != nil {
			return err
		}
	}
}

// transactOnce runs fn in a transaction once; conflict says that it failed because of a
// concurrent transaction, and may succeed if run again.
func (s *Store) transactOnce(ctx context.Context, stmts *statements, opts *sql.TxOptions, fn func(tx WriteTx) error) (conflict bool, err error) {
	var tx *sql.Tx
	begin := func() (err error) {
		if tx, err = s.db.BeginTx(ctx, opts); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		return nil
	}
	// PostgreSQL takes a transaction's snapshot at its first statement, not at BEGIN:
	// there, BEGIN's round trip is made before the gate, while another writer holds it.
	// SQLite's BEGIN takes the write lock: there, after the gate.
	if s.pg {
		if err := begin(); err != nil {
			return false, err
		}
	}
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		if tx != nil {
			tx.Rollback()
		}
		return false, fmt.Errorf("store: begin: %w", err)
	}
	if !s.pg {
		if err := begin(); err != nil {
			unlock()
			return false, err
		}
	}
	// Rolled back before the gate opens, also on a panic in fn: an open transaction
	// would keep its locks. After a commit, Rollback is a no-op.
	defer func() {
		tx.Rollback()
		unlock()
	}()
	t := inTx{tx: tx, stmts: stmts, pg: s.pg, conflict: new(bool)}
	if err := fn(WriteTx{Conn: Conn{q: t, pg: s.pg}, tx: t}); err != nil {
		// fn may have turned the conflict into an error of its own.
		return *t.conflict || isConflict(err), err
	}
	if err := tx.Commit(); err != nil {
		return *t.conflict || isConflict(err), fmt.Errorf("store: commit: %w", err)
	}
	return false, nil
}

// migrate applies, in name order, each embedded migration not yet recorded in
// schema_migrations. Recording names rather than a counter lets migrations written
// side by side land in any order.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, s.migrationsGlob())
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	// Not prepared: each runs once, and names tables the transaction itself creates.
	// On PostgreSQL, at READ COMMITTED under an advisory lock: instances starting
	// together wait for the first to migrate, then see what it recorded.
	return s.transact(ctx, nil, nil, func(tx WriteTx) error {
		if s.pg {
			if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLock); err != nil {
				return fmt.Errorf("store: lock migrations: %w", err)
			}
		}
		if _, err := tx.tx.ExecContext(ctx,
			`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("store: create schema_migrations: %w", err)
		}
		for _, name := range names {
			res, err := tx.tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
				path.Base(name), micros(time.Now()))
			if err != nil {
				return fmt.Errorf("store: record %s: %w", name, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // applied before
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return fmt.Errorf("store: read %s: %w", name, err)
			}
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("store: apply %s: %w", name, err)
			}
		}
		return nil
	})
}

// isUniqueViolation reports whether err is the database refusing a duplicate.
func isUniqueViolation(err error) bool {
	return isSQLiteUniqueViolation(err) || isPostgresUniqueViolation(err)
}

// notFound turns sql.ErrNoRows into ErrNotFound and wraps any error with what was asked.
func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// micros stores times as Unix microseconds.
func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}
