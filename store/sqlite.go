package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// maxConns bounds the pool. SQLite work is CPU-bound, so more connections than a few
// per core only add page caches; and the pool keeps every connection it opens, with
// its prepared statements, instead of closing all but two after each burst.
var maxConns = max(4, 2*runtime.GOMAXPROCS(0))

// openSQLite opens (creating if needed) the SQLite file at path and applies pending
// migrations.
//
// The file holds secrets (the session secret unless it is kept elsewhere, invitation
// links until they are delivered): it and its WAL and shared-memory files are made
// readable by their owner only, whatever the umask.
func openSQLite(path string) (*Store, error) {
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
	s := newStore(db, false)
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

// Checkpoint copies the WAL into the file and empties it, so that what writes replaced
// (zeroed in the file by secure_delete) is not kept in old WAL frames either. Readers in
// the middle of a transaction may keep it from finishing; the next one completes it.
// PostgreSQL has no such file: nothing to do.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.pg {
		return nil
	}
	var busy, frames, copied int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}

func isSQLiteUniqueViolation(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
