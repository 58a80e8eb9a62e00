// Package store keeps dbcollab's data in SQLite (modernc.org/sqlite, no cgo).
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
	"net/url"
	"os"
	"path"
	"runtime"
	"sort"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when a write would break a UNIQUE constraint.
var ErrDuplicate = errors.New("already exists")

//go:embed migrations/*.sql
var migrations embed.FS

// reader runs reads on the pool (pooled) or in a transaction (inTx) alike.
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Conn runs the store's reads, on the database or inside a transaction.
type Conn struct {
	q reader
}

// WriteTx is a write transaction: its own reads, and every write of the store. Store.Tx
// is the only maker of one.
type WriteTx struct {
	Conn
	tx inTx
}

// Store is the SQLite database. Its Conn methods run outside any transaction.
type Store struct {
	Conn
	db    *sql.DB
	stmts *statements
	// writer holds a token while a write runs: see lockWriter.
	writer chan struct{}
}

// maxConns bounds the pool. SQLite work is CPU-bound, so more connections than a few
// per core only add page caches; and the pool keeps every connection it opens, with
// its prepared statements, instead of closing all but two after each burst.
var maxConns = max(4, 2*runtime.GOMAXPROCS(0))

// Open opens (creating if needed) the SQLite file at path and applies pending migrations.
//
// The file holds secrets (the session secret unless it is kept elsewhere, invitation
// links until they are delivered): it and its WAL and shared-memory files are made
// readable by their owner only, whatever the umask.
func Open(path string) (*Store, error) {
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	// The pragmas go in the DSN so that every pooled connection gets them.
	// _txlock=immediate: a transaction that reads then writes takes the write lock at
	// BEGIN, so concurrent writers wait (busy_timeout) instead of failing with SQLITE_BUSY.
	// secure_delete: what a write replaces (an e-mail's body once delivered) is zeroed
	// in the file, not left in a free page.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, stmts: &statements{db: db}, writer: make(chan struct{}, 1)}
	s.Conn = Conn{q: pooled{s}}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	// SQLite creates the WAL and shared-memory files with the main file's mode; these
	// may be older than it.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	return s, nil
}

// ownerOnly creates the file at path if needed, and makes it readable and writable by
// its owner only.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("store: %w", err)
	}
	return f.Close()
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.close()
	return s.db.Close()
}

// Checkpoint copies the WAL into the file and empties it, so that what writes replaced
// (zeroed in the file by secure_delete) is not kept in old WAL frames either. Readers in
// the middle of a transaction may keep it from finishing; the next one completes it.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, frames, copied int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Tx runs fn in one IMMEDIATE transaction: committed if fn returns nil, rolled back
// otherwise. It is the only way to write.
func (s *Store) Tx(ctx context.Context, fn func(tx WriteTx) error) error {
	return s.transact(ctx, s.stmts, fn)
}

// transact is Tx, its queries prepared through stmts, or run as text when stmts is nil.
func (s *Store) transact(ctx context.Context, stmts *statements, fn func(tx WriteTx) error) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	// Also on a panic in fn: an open transaction would keep the write lock for good.
	// After a commit, Rollback is a no-op.
	defer tx.Rollback()
	t := inTx{tx: tx, stmts: stmts}
	if err := fn(WriteTx{Conn: Conn{q: t}, tx: t}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// migrate applies, in name order, each embedded migration not yet recorded in
// schema_migrations. Recording names rather than a counter lets migrations written
// side by side land in any order.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	// Not prepared: each runs once, and names tables the transaction itself creates.
	return s.transact(ctx, nil, func(tx WriteTx) error {
		if _, err := tx.tx.ExecContext(ctx,
			`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
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

// isUniqueViolation reports whether err is SQLite refusing a duplicate.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
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
