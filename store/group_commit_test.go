package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// groupTest is a store on PostgreSQL with a user to write sessions for.
type groupTest struct {
	s    *Store
	user User
}

func newGroupTest(t *testing.T) groupTest {
	t.Helper()
	s, _ := openTestStore(t)
	if !s.pg {
		t.Skip("SQLite runs each Tx in a transaction of its own")
	}
	return groupTest{s: s, user: createUser(t, s, "owner@example.com", "owner")}
}

// insert is a function that writes the session named token, counting its runs.
func (g groupTest) insert(token string, runs *atomic.Int32) func(WriteTx) error {
	return func(tx WriteTx) error {
		runs.Add(1)
		now := time.Now()
		return tx.InsertSession(context.Background(), &Session{UserID: g.user.ID, TokenHash: []byte(token), CreatedAt: now, LastSeenAt: now})
	}
}

// stored reports whether the session named token was committed.
func (g groupTest) stored(t *testing.T, token string) bool {
	t.Helper()
	_, _, err := g.s.SessionByHash(context.Background(), []byte(token))
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// run runs fns as one group, as the leader of a group does, and returns their outcomes.
func (g groupTest) run(fns ...func(WriteTx) error) []txOutcome {
	group := make([]*queuedTx, len(fns))
	for i, fn := range fns {
		group[i] = &queuedTx{ctx: context.Background(), fn: fn, done: make(chan txOutcome, 1)}
	}
	g.s.runGroup(group)
	outcomes := make([]txOutcome, len(fns))
	for i, q := range group {
		outcomes[i] = <-q.done
	}
	return outcomes
}

var errRefused = errors.New("refused")

// A function that only read and refused is refused alone, after the commit of the
// others, which it may have read: it runs once, like them.
func TestAGroupRefusesAloneWhatOnlyRead(t *testing.T) {
	g := newGroupTest(t)
	var runs [3]atomic.Int32
	refuseIfA := func(tx WriteTx) error {
		runs[1].Add(1)
		if _, _, err := tx.SessionByHash(context.Background(), []byte("a")); err == nil {
			return errRefused // sees the group's first write, before its commit
		}
		return nil
	}
	out := g.run(g.insert("a", &runs[0]), refuseIfA, g.insert("b", &runs[2]))
	if out[0].err != nil || !errors.Is(out[1].err, errRefused) || out[2].err != nil {
		t.Errorf("outcomes %v, %v, %v; want nil, %v, nil", out[0].err, out[1].err, out[2].err, errRefused)
	}
	if !g.stored(t, "a") || !g.stored(t, "b") {
		t.Error("the group's writes were not committed")
	}
	for i := range runs {
		if n := runs[i].Load(); n != 1 {
			t.Errorf("function %d ran %d times, want 1", i, n)
		}
	}
}

// A function that wrote then failed, or whose statement failed, is rolled back and
// runs alone; the others run again and commit.
func TestAGroupRunsAloneAFunctionThatFailedAfterWriting(t *testing.T) {
	g := newGroupTest(t)
	var runs [4]atomic.Int32
	if err := g.s.Tx(context.Background(), g.insert("taken", new(atomic.Int32))); err != nil {
		t.Fatal(err)
	}
	writeThenRefuse := func(tx WriteTx) error {
		runs[1].Add(1)
		if err := g.insert("c", new(atomic.Int32))(tx); err != nil {
			return err
		}
		return errRefused
	}
	duplicateIgnored := func(tx WriteTx) error {
		runs[2].Add(1)
		g.insert("taken", new(atomic.Int32))(tx) // PostgreSQL refuses the rest of the transaction
		return nil
	}
	out := g.run(g.insert("a", &runs[0]), writeThenRefuse, duplicateIgnored, g.insert("b", &runs[3]))
	if out[0].err != nil || !errors.Is(out[1].err, errRefused) || out[2].err == nil || out[3].err != nil {
		t.Errorf("outcomes %v, %v, %v, %v; want nil, %v, a failed commit, nil", out[0].err, out[1].err, out[2].err, out[3].err, errRefused)
	}
	if !g.stored(t, "a") || !g.stored(t, "b") || g.stored(t, "c") {
		t.Errorf("stored a %v, b %v, c %v; want a and b only", g.stored(t, "a"), g.stored(t, "b"), g.stored(t, "c"))
	}
	// a ran in the first group and again; the two failures in the group and alone; b
	// after the second failure only.
	for i, want := range []int32{3, 2, 2, 1} {
		if n := runs[i].Load(); n != want {
			t.Errorf("function %d ran %d times, want %d", i, n, want)
		}
	}
}

// A panic in one function panics in its caller; the others commit.
func TestAGroupGivesAPanicToItsCaller(t *testing.T) {
	g := newGroupTest(t)
	var runs atomic.Int32
	out := g.run(g.insert("a", &runs), func(WriteTx) error { panic("boom") }, g.insert("b", &runs))
	if out[0].err != nil || out[1].panicked != "boom" || out[2].err != nil {
		t.Errorf("outcomes %+v; want nil, a panic, nil", out)
	}
	if !g.stored(t, "a") || !g.stored(t, "b") {
		t.Error("the others' writes were not committed")
	}
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("Tx recovered %v, want the panic boom", p)
		}
	}()
	g.s.Tx(context.Background(), func(WriteTx) error { panic("boom") })
}

// Concurrent Tx calls each commit their write once, whatever groups they run in, and
// share transactions.
func TestConcurrentTxCommitEachWriteOnce(t *testing.T) {
	g := newGroupTest(t)
	const calls = 3 * maxGroup
	var runs [calls]atomic.Int32
	var mu sync.Mutex
	transactions := map[int64]bool{}
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			err := g.s.Tx(context.Background(), func(tx WriteTx) error {
				var id int64
				if err := tx.tx.QueryRowContext(context.Background(), `SELECT txid_current()`).Scan(&id); err != nil {
					return err
				}
				mu.Lock()
				transactions[id] = true
				mu.Unlock()
				return g.insert(fmt.Sprint(i), &runs[i])(tx)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(transactions) >= calls {
		t.Errorf("%d calls ran in %d transactions, want fewer", calls, len(transactions))
	}
	t.Logf("%d calls ran in %d transactions", calls, len(transactions))
	for i := range calls {
		if !g.stored(t, fmt.Sprint(i)) || runs[i].Load() != 1 {
			t.Errorf("call %d: stored %v, ran %d times; want stored, once", i, g.stored(t, fmt.Sprint(i)), runs[i].Load())
		}
	}
}

// A Tx whose request ends while it waits leaves the queue: its function never runs.
func TestTxWaitingLeavesWhenItsRequestEnds(t *testing.T) {
	g := newGroupTest(t)
	release, started := make(chan struct{}), make(chan struct{})
	go g.s.Tx(context.Background(), func(WriteTx) error {
		close(started)
		<-release
		return nil
	})
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	var runs atomic.Int32
	done := make(chan error)
	go func() { done <- g.s.Tx(ctx, g.insert("a", &runs)) }()
	time.Sleep(50 * time.Millisecond) // queued behind the running group
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Tx of an ended request: %v, want context.Canceled", err)
	}
	close(release)
	if err := g.s.Tx(context.Background(), g.insert("b", new(atomic.Int32))); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 0 || g.stored(t, "a") {
		t.Errorf("the function of the ended request ran %d times", runs.Load())
	}
}

// A conflict with another instance's transaction runs the whole group again.
func TestAGroupRunsAgainAfterAConflict(t *testing.T) {
	g := newGroupTest(t)
	ctx := context.Background()
	var fought Session
	err := g.s.Tx(ctx, func(tx WriteTx) error {
		if err := g.insert("fought", new(atomic.Int32))(tx); err != nil {
			return err
		}
		var err error
		fought, _, err = tx.SessionByHash(ctx, []byte("fought"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var runs, runsA atomic.Int32
	var lastTx [2]int64 // the transaction of each function's last run
	txOf := func(tx WriteTx, i int) error {
		return tx.tx.QueryRowContext(ctx, `SELECT txid_current()`).Scan(&lastTx[i])
	}
	insertA := func(tx WriteTx) error {
		if err := txOf(tx, 0); err != nil {
			return err
		}
		return g.insert("a", &runsA)(tx)
	}
	touchAfterAnotherDoes := func(tx WriteTx) error {
		if err := txOf(tx, 1); err != nil {
			return err
		}
		if runs.Add(1) == 1 {
			// Another instance changes the row after this group's snapshot, and commits.
			if _, err := g.s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = last_seen_at + 1 WHERE id = $1`, fought.ID); err != nil {
				return err
			}
		}
		return tx.TouchSession(ctx, fought.ID, time.Now())
	}
	out := g.run(insertA, touchAfterAnotherDoes)
	if out[0].err != nil || out[1].err != nil {
		t.Errorf("outcomes %v, %v; want nil, nil", out[0].err, out[1].err)
	}
	if runs.Load() != 2 || runsA.Load() != 2 {
		t.Errorf("the conflicting function ran %d times and the other %d, want 2 and 2", runs.Load(), runsA.Load())
	}
	if !g.stored(t, "a") {
		t.Error("the group's first write was not committed after the conflict")
	}
	if lastTx[0] != lastTx[1] {
		t.Errorf("the functions ran again in transactions %d and %d, want the same: the group", lastTx[0], lastTx[1])
	}
}
