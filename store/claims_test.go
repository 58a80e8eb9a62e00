package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// openTwoInstances opens the store twice, as two dbcollab processes on one store do.
func openTwoInstances(t *testing.T) (*Store, *Store) {
	t.Helper()
	a, path := openTestStore(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

func claimEmail(t *testing.T, s *Store, now time.Time, by string) (Email, error) {
	t.Helper()
	var e Email
	err := s.Tx(context.Background(), func(tx WriteTx) (err error) {
		e, err = tx.ClaimEmail(context.Background(), now, now.Add(time.Minute), by)
		return err
	})
	return e, err
}

func claimJob(t *testing.T, s *Store, now time.Time, by string) (Job, error) {
	t.Helper()
	var j Job
	err := s.Tx(context.Background(), func(tx WriteTx) (err error) {
		j, err = tx.ClaimJob(context.Background(), now, now.Add(time.Minute), by)
		return err
	})
	return j, err
}

func TestClaimedEmailGoesToNoOtherRunnerUntilItsLeaseEnds(t *testing.T) {
	a, b := openTwoInstances(t)
	ctx := context.Background()
	first := enqueue(t, a, "first@example.com", testClock)
	second := enqueue(t, b, "second@example.com", testClock.Add(time.Second))
	now := testClock.Add(2 * time.Second)

	got, err := claimEmail(t, a, now, "runner-a")
	if err != nil || got.ID != first.ID || got.To != first.To || got.Text != first.Text {
		t.Fatalf("A's claim = %+v, %v; want the first e-mail", got, err)
	}
	if got, err := claimEmail(t, b, now, "runner-b"); err != nil || got.ID != second.ID {
		t.Fatalf("B's claim = %+v, %v; want the second e-mail, the first being A's", got, err)
	}
	if _, err := claimEmail(t, b, now, "runner-c"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a third claim = %v, want ErrNotFound: both are claimed", err)
	}
	end, err := b.NextEmailLeaseEnd(ctx, now, "runner-c")
	if err != nil || !end.Equal(now.Add(time.Minute)) {
		t.Fatalf("NextEmailLeaseEnd = %v, %v; want %v", end, err, now.Add(time.Minute))
	}

	// A died: once its lease has passed, its e-mail goes to another runner, and A's
	// renewal then fails.
	later := now.Add(time.Minute)
	if got, err := claimEmail(t, b, later, "runner-c"); err != nil || got.ID != first.ID {
		t.Fatalf("claim after A's lease = %+v, %v; want the first e-mail", got, err)
	}
	if err := a.Tx(ctx, func(tx WriteTx) error { return tx.RenewClaim(ctx, first.ID, "runner-a", later.Add(time.Minute)) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("A's renewal after the e-mail went to C = %v, want ErrNotFound", err)
	}

	// A failure ends the claim: the e-mail is the next claim's once due again.
	if err := b.Tx(ctx, func(tx WriteTx) error {
		if err := tx.MarkEmailSent(ctx, second.ID, later); err != nil {
			return err
		}
		return tx.MarkEmailFailed(ctx, first.ID, "421 busy", later)
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := claimEmail(t, a, later, "runner-a"); err != nil || got.ID != first.ID || got.Attempts != 1 {
		t.Fatalf("claim after the failure = %+v, %v; want the first e-mail, tried once", got, err)
	}
	if err := a.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, first.ID, later) }); err != nil {
		t.Fatal(err)
	}
	if _, err := a.NextEmailLeaseEnd(ctx, later, "runner-a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("NextEmailLeaseEnd with B's lease over and the first sent = %v, want ErrNotFound", err)
	}
}

func TestClaimingJobsKeepsTheirOrderAcrossRunners(t *testing.T) {
	a, b := openTwoInstances(t)
	ctx := context.Background()
	for _, j := range []struct{ kind, ref string }{
		{JobGrantAccess, "grant"}, {JobCreateDatabase, "create"}, {JobRevokeAccess, "revoke-1"}, {JobRevokeAccess, "revoke-2"},
	} {
		if err := a.Tx(ctx, func(tx WriteTx) error { return tx.EnqueueJob(ctx, j.kind, j.ref, testClock) }); err != nil {
			t.Fatal(err)
		}
	}
	enqueue(t, a, "someone@example.com", testClock)
	now := testClock.Add(time.Second)
	claim := func(s *Store, by string) string {
		t.Helper()
		j, err := claimJob(t, s, now, by)
		if errors.Is(err, ErrNotFound) {
			return ""
		} else if err != nil {
			t.Fatal(err)
		}
		return j.Ref
	}
	done := func(s *Store, ref string) {
		t.Helper()
		err := s.Tx(ctx, func(tx WriteTx) error {
			_, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, claimed_until = NULL WHERE ref = ?`, micros(now), ref)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Revocations go side by side; nothing else starts while one runs.
	if got := claim(a, "runner-a"); got != "revoke-1" {
		t.Fatalf("A claims %q, want revoke-1", got)
	}
	if got := claim(b, "runner-b"); got != "revoke-2" {
		t.Fatalf("B claims %q, want revoke-2", got)
	}
	done(b, "revoke-2")
	if got := claim(b, "runner-b"); got != "" {
		t.Fatalf("B claims %q while A revokes, want nothing", got)
	}
	if end, err := b.NextJobLeaseEnd(ctx, now, "runner-b"); err != nil || !end.Equal(now.Add(time.Minute)) {
		t.Fatalf("B waits until %v, %v; want the end of A's lease, %v", end, err, now.Add(time.Minute))
	}
	done(a, "revoke-1")
	// The database is created before its member is granted.
	if got := claim(b, "runner-b"); got != "create" {
		t.Fatalf("B claims %q, want create", got)
	}
	if got := claim(a, "runner-a"); got != "" {
		t.Fatalf("A claims %q while B creates the database, want nothing", got)
	}
	done(b, "create")
	if got := claim(a, "runner-a"); got != "grant" {
		t.Fatalf("A claims %q, want grant", got)
	}
}

// Two instances' runners claiming at once: every e-mail is claimed by exactly one.
func TestConcurrentClaimsTakeEachEmailOnce(t *testing.T) {
	a, b := openTwoInstances(t)
	ctx := context.Background()
	const emails = 200
	for range emails {
		enqueue(t, a, "someone@example.com", testClock)
	}
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	for i, s := range []*Store{a, a, b, b} {
		by := NewClaimer()
		wg.Go(func() {
			for {
				e, err := claimEmail(t, s, testClock, by)
				if errors.Is(err, ErrNotFound) {
					return
				} else if err != nil {
					t.Errorf("runner %d: %v", i, err)
					return
				}
				mu.Lock()
				if other, taken := claimed[e.ID]; taken {
					t.Errorf("e-mail %d claimed by %s and %s", e.ID, other, by)
				}
				claimed[e.ID] = by
				mu.Unlock()
				if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, e.ID, testClock) }); err != nil {
					t.Errorf("runner %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	if len(claimed) != emails {
		t.Fatalf("%d e-mails claimed, want %d", len(claimed), emails)
	}
}

func TestKeepClaimRenewsTheLeaseUntilStopped(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	e := enqueue(t, s, "someone@example.com", testClock)
	clock := testClock
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	if _, err := claimEmail(t, s, testClock, "runner-a"); err != nil {
		t.Fatal(err)
	}
	const lease = 30 * time.Millisecond
	stop := s.KeepClaim(e.ID, "runner-a", lease, now, func(err error) { t.Error(err) })
	mu.Lock()
	clock = testClock.Add(time.Hour)
	mu.Unlock()
	time.Sleep(3 * lease)
	stop()
	end, err := s.NextEmailLeaseEnd(ctx, testClock.Add(time.Hour), "someone else")
	if err != nil || !end.Equal(testClock.Add(time.Hour+lease)) {
		t.Fatalf("lease ends at %v, %v; want renewed to %v", end, err, testClock.Add(time.Hour+lease))
	}
}
