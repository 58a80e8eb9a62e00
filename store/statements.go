package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// The store's queries run through one of two queriers: pooled for reads outside a
// transaction, inTx inside one. Both count each query and run it as a prepared
// statement. Only a transaction writes: it passes the writer gate at BEGIN.

// statements keeps one prepared statement per query text. The queries are constants of
// this package, so the set is small and fixed; database/sql prepares each on a
// connection the first time it runs there and keeps it, so SQLite parses and plans a
// query once per connection instead of on every call.
type statements struct {
	db      *sql.DB
	pg      bool
	byQuery sync.Map // query text → *sql.Stmt
	// background counts the preparations started for transactions (inTx.stmt), which
	// close waits for: one still holding a connection would leave the file open.
	background sync.WaitGroup
}

// prepared returns the statement for query, preparing it on first use; nil when query
// cannot be prepared, for the caller to run it as text, where the error shows.
func (p *statements) prepared(ctx context.Context, query string) *sql.Stmt {
	if st, ok := p.byQuery.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := p.db.PrepareContext(ctx, p.text(query))
	if err != nil {
		return nil
	}
	if kept, raced := p.byQuery.LoadOrStore(query, st); raced {
		st.Close()
		return kept.(*sql.Stmt)
	}
	return st
}

// text is query as the database takes it: on PostgreSQL, with $n placeholders.
func (p *statements) text(query string) string {
	if p.pg {
		return rebindCached(query)
	}
	return query
}

func (p *statements) close() {
	p.background.Wait()
	p.byQuery.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// writerWait bounds the wait at the writer gate. A transaction that waits longer goes on
// without it, to SQLite's own lock and busy timeout: one started while the same
// goroutine holds the gate in a transaction then fails as it would without the gate,
// instead of waiting for ever.
const writerWait = 5 * time.Second

// lockWriter admits one write transaction at a time.
// Writers queue here in order and the next starts as soon as the previous one ends;
// in SQLite's busy handler they would poll with sleeps of up to 100 ms, leaving the
// database idle between writes (measured with 32 API clients inviting: same
// throughput, half the p99 latency).
//
// On PostgreSQL, Tx runs the writes of one instance in groups instead (txGroups), one
// group at a time, which makes the gate's order too; the gate admits the transactions
// that run alone (migrations, a function that stopped its group). Without either, 32
// goroutines writing invitation-like transactions (count, insert) took 5.3 ms a
// transaction against 1.5 ms through the gate, fn running 2.7 times a transaction on 32
// databases (6.4 on one) as SERIALIZABLE's page-level predicate locks conflicted
// (2-core machine under load, BenchmarkPostgresWriterGate). Several instances then
// conflict among themselves only, and retry.
func (s *Store) lockWriter(ctx context.Context) (unlock func(), err error) {
	if s.writer == nil {
		return func() {}, nil
	}
	select {
	case s.writer <- struct{}{}:
		return s.unlockWriter, nil
	default:
	}
	wait := time.NewTimer(writerWait)
	defer wait.Stop()
	select {
	case s.writer <- struct{}{}:
		return s.unlockWriter, nil
	case <-wait.C:
		return func() {}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Store) unlockWriter() { <-s.writer }

// pooled runs reads outside any transaction.
type pooled struct{ s *Store }

func (p pooled) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	countStatement(ctx)
	if st := p.s.stmts.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.s.db.QueryContext(ctx, p.s.stmts.text(query), args...)
}

func (p pooled) QueryRowContext(ctx context.Context, query string, args ...any) row {
	countStatement(ctx)
	if st := p.s.stmts.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.s.db.QueryRowContext(ctx, p.s.stmts.text(query), args...)
}

// inTx runs queries in a transaction, which holds the writer gate already; as text
// when stmts is nil. conflict is set once a query fails because of a concurrent
// transaction (PostgreSQL), so that Tx runs it again whatever fn makes of the error.
//
// In a group of functions (txGroups), failed is set once a statement fails, and wrote,
// when set, once one runs (WriteTx's own, which all writes go through); detached runs
// them whatever becomes of the caller's context, which the group's transaction outlives.
type inTx struct {
	tx       *sql.Tx
	stmts    *statements
	pg       bool
	conflict *bool
	failed   *bool
	wrote    *bool
	detached bool
}

func (t inTx) note(err error) error {
	if err != nil && isConflict(err) {
		*t.conflict = true
	}
	if err != nil && t.failed != nil && !errors.Is(err, sql.ErrNoRows) {
		*t.failed = true
	}
	return err
}

// begin counts a statement of ctx, and returns the context to run it in.
func (t inTx) begin(ctx context.Context) context.Context {
	countStatement(ctx)
	if t.wrote != nil {
		*t.wrote = true
	}
	if t.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t inTx) text(query string) string {
	if t.pg {
		return rebindCached(query)
	}
	return query
}

// txRow notes the conflict its Scan may report.
type txRow struct {
	*sql.Row
	t inTx
}

func (r txRow) Scan(dest ...any) error { return r.t.note(r.Row.Scan(dest...)) }

// stmt is the prepared statement for query, bound to the transaction, if it was
// prepared before; nil otherwise, and then it is prepared in the background for the next
// time. Preparing takes a connection of the pool: a transaction that waited for one
// while holding its own could wait for ever, all the others being held by transactions
// waiting for its lock.
func (t inTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	if st, ok := t.stmts.byQuery.Load(query); ok {
		return t.tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	t.stmts.background.Go(func() { t.stmts.prepared(context.Background(), query) })
	return nil
}

func (t inTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.begin(ctx)
	if st := t.stmt(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, t.note(err)
	}
	res, err := t.tx.ExecContext(ctx, t.text(query), args...)
	return res, t.note(err)
}

func (t inTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.begin(ctx)
	if st := t.stmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, t.note(err)
	}
	rows, err := t.tx.QueryContext(ctx, t.text(query), args...)
	return rows, t.note(err)
}

func (t inTx) QueryRowContext(ctx context.Context, query string, args ...any) row {
	ctx = t.begin(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return txRow{st.QueryRowContext(ctx, args...), t}
	}
	return txRow{t.tx.QueryRowContext(ctx, t.text(query), args...), t}
}

// StatementCounter counts the SQL statements the store runs for a context that carries
// it, so that a test can hold a page to a fixed number of queries whatever its rows.
type StatementCounter struct{ n atomic.Int64 }

// Count is the number of statements counted so far.
func (c *StatementCounter) Count() int { return int(c.n.Load()) }

type counterKey struct{}

// CountStatements returns a context whose statements the returned counter counts.
func CountStatements(ctx context.Context) (context.Context, *StatementCounter) {
	c := &StatementCounter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

func countStatement(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*StatementCounter); ok {
		c.n.Add(1)
	}
}
