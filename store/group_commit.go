package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// txGroups runs, on PostgreSQL, the Tx calls of one instance that wait for each other in
// groups: the functions queued while a group runs run next, one after the other, in one
// transaction, committed once. A write that waited for the one before it (the writer
// gate) then no longer pays a BEGIN, a COMMIT and the flush of the log of its own: under
// load most of the time a write holds the gate. Each function sees the writes of those
// before it in its group, as it would after their commits, and the rules it checks
// (limits, the last member) hold for all of them as one serial order.
//
// A function that returns an error having only read is refused alone: its error is
// given once the group commits (what it read may be the group's). One that wrote, or
// whose statement failed (PostgreSQL then refuses the rest of the transaction), stops
// the group: the group is rolled back, that function runs in a transaction of its own,
// and the others run again as a group. A conflict with another instance runs the whole
// group again, as Tx runs one function again.
type txGroups struct {
	mu      sync.Mutex
	waiting []*queuedTx
	// leading: a group is running, or about to; the calls waiting will be run.
	leading bool
	// next is the call told to lead the next group, still waiting for its turn.
	next *queuedTx
}

// queuedTx is one Tx call waiting to run, and where its outcome goes.
type queuedTx struct {
	ctx  context.Context
	fn   func(WriteTx) error
	done chan txOutcome // buffered: written once, or once "lead" then once
}

// txOutcome is what a call waiting in txGroups is told.
type txOutcome struct {
	err error
	// panicked is the value fn panicked with, to panic with again in its caller.
	panicked any
	// lead: the call leads the next group instead, itself in it.
	lead bool
}

// maxGroup bounds the functions one transaction runs.
const maxGroup = 64

// groupTx is Tx on PostgreSQL: fn runs in the next group.
func (s *Store) groupTx(ctx context.Context, fn func(WriteTx) error) error {
	g := &s.groups
	me := &queuedTx{ctx: ctx, fn: fn, done: make(chan txOutcome, 1)}
	g.mu.Lock()
	g.waiting = append(g.waiting, me)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		o, alone := g.wait(me)
		if alone {
			// As a writer that waited too long at the gate goes on without it: a Tx
			// started inside another's function would otherwise wait for ever.
			return s.transact(ctx, s.stmts, s.writeOptions(), fn)
		}
		if !o.lead {
			return o.result()
		}
	}
	s.runGroup(g.take())
	g.handOver()
	return (<-me.done).result()
}

// wait waits for me's outcome. It leaves the queue, if it still can, when ctx ends
// (the outcome is then ctx's error) or after writerWait (alone: run it alone).
func (g *txGroups) wait(me *queuedTx) (o txOutcome, alone bool) {
	timer := time.NewTimer(writerWait)
	defer timer.Stop()
	select {
	case o := <-me.done:
		return o, false
	case <-me.ctx.Done():
		if g.leave(me) {
			return txOutcome{err: fmt.Errorf("store: begin: %w", me.ctx.Err())}, false
		}
	case <-timer.C:
		if g.leave(me) {
			return txOutcome{}, true
		}
	}
	// Taken in a group already, or told to lead: the outcome comes.
	return <-me.done, false
}

// leave takes me out of the queue; false if it is in a group already or is to lead one.
func (g *txGroups) leave(me *queuedTx) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next == me {
		return false
	}
	for i, w := range g.waiting {
		if w == me {
			g.waiting = append(g.waiting[:i], g.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// take takes the next group from the front of the queue: the leader is first in it.
func (g *txGroups) take() []*queuedTx {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := min(len(g.waiting), maxGroup)
	group := append([]*queuedTx(nil), g.waiting[:n]...)
	g.waiting = append(g.waiting[:0], g.waiting[n:]...)
	g.next = nil
	return group
}

// handOver makes the first call waiting lead the next group, or ends the leading.
func (g *txGroups) handOver() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiting) == 0 {
		g.leading = false
		return
	}
	g.next = g.waiting[0]
	g.next.done <- txOutcome{lead: true}
}

func (o txOutcome) result() error {
	if o.panicked != nil {
		panic(o.panicked)
	}
	return o.err
}

// runGroup runs group until each of its calls has its outcome.
func (s *Store) runGroup(group []*queuedTx) {
	for attempt := 1; len(group) > 0; {
		rest, conflict := s.runGroupOnce(group)
		if conflict != nil {
			if attempt == txAttempts {
				for _, q := range group {
					q.done <- txOutcome{err: conflict}
				}
				return
			}
			// As transact waits between two runs of a conflicting transaction.
			_ = waitToRetry(context.Background(), attempt)
			attempt++
		}
		group = rest
	}
}

// runGroupOnce runs group in one transaction and gives their outcome to the calls it
// settles. It returns the calls to run again: all of them after a conflict (the
// conflict's error), or all but one that stopped the group.
func (s *Store) runGroupOnce(group []*queuedTx) (rest []*queuedTx, conflict error) {
	// Not any call's context: one call's end must not end the others' transaction.
	tx, err := s.db.BeginTx(context.Background(), s.writeOptions())
	if err != nil {
		for _, q := range group {
			q.done <- txOutcome{err: fmt.Errorf("store: begin: %w", err)}
		}
		return nil, nil
	}
	defer tx.Rollback()
	refused := make([]error, len(group))
	for i, q := range group {
		t := inTx{tx: tx, stmts: s.stmts, pg: true, conflict: new(bool), failed: new(bool), detached: true}
		w := t
		w.wrote = new(bool)
		panicked, err := runFn(q.fn, WriteTx{Conn: Conn{q: t, pg: true}, tx: w})
		var pgErr *pgconn.PgError
		switch {
		case *t.conflict || isConflict(err):
			if err == nil {
				err = errors.New("store: a statement conflicted with a concurrent transaction")
			}
			return group, err
		case panicked != nil:
			tx.Rollback()
			q.done <- txOutcome{panicked: panicked}
			return without(group, i), nil
		case err != nil && !*w.wrote && !*t.failed && !errors.As(err, &pgErr):
			refused[i] = err
		case err != nil || *t.failed:
			tx.Rollback()
			q.done <- s.runAlone(q)
			return without(group, i), nil
		}
	}
	if err := tx.Commit(); err != nil {
		if isConflict(err) {
			return group, fmt.Errorf("store: commit: %w", err)
		}
		for _, q := range group {
			q.done <- txOutcome{err: fmt.Errorf("store: commit: %w", err)}
		}
		return nil, nil
	}
	for i, q := range group {
		q.done <- txOutcome{err: refused[i]}
	}
	return nil, nil
}

// runAlone runs q in a transaction of its own, as Tx does without groups.
func (s *Store) runAlone(q *queuedTx) (o txOutcome) {
	defer func() {
		if p := recover(); p != nil {
			o = txOutcome{panicked: p}
		}
	}()
	return txOutcome{err: s.transact(q.ctx, s.stmts, s.writeOptions(), q.fn)}
}

// runFn runs fn, and says what it panicked with instead of panicking.
func runFn(fn func(WriteTx) error, w WriteTx) (panicked any, err error) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return nil, fn(w)
}

// without is group less its i-th call, in a new slice.
func without(group []*queuedTx, i int) []*queuedTx {
	return append(append([]*queuedTx(nil), group[:i]...), group[i+1:]...)
}
