package store

import (
	"context"
	"testing"
	"time"
)

func TestThrottleCountsAreUpsertedForgottenAndPurged(t *testing.T) {
	a, b := openTwoInstances(t)
	ctx := context.Background()
	account, address := []byte("account-key"), []byte("address-key")
	keys := [][]byte{account, address}
	write := func(s *Store, fn func(tx WriteTx) error) {
		t.Helper()
		if err := s.Tx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	counts := func(s *Store, since time.Time) []ThrottleCount {
		t.Helper()
		c, err := s.ThrottleCounts(ctx, keys, since)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	day := 24 * time.Hour
	write(a, func(tx WriteTx) error { return tx.CountThrottleFailures(ctx, keys, testClock, testClock.Add(-day)) })
	write(b, func(tx WriteTx) error { return tx.CountThrottleFailures(ctx, keys[:1], testClock.Add(time.Second), testClock.Add(-day)) })
	if got := counts(b, testClock.Add(-day)); got[0] != (ThrottleCount{2, testClock.Add(time.Second)}) || got[1] != (ThrottleCount{1, testClock}) {
		t.Fatalf("counts after 2 failures of the account (on two instances) and 1 of the address = %+v", got)
	}
	write(a, func(tx WriteTx) error { return tx.UndoThrottleFailures(ctx, keys) })
	if got := counts(a, testClock.Add(-day)); got[0].Count != 1 || got[1].Count != 0 {
		t.Fatalf("counts after an undo = %+v, want 1 and 0", got)
	}
	// A day later the account's count starts again from one.
	later := testClock.Add(day + 2*time.Second)
	if got := counts(a, later.Add(-day)); got[0].Count != 0 {
		t.Fatalf("a count a day old = %+v, want forgotten", got)
	}
	write(a, func(tx WriteTx) error { return tx.CountThrottleFailures(ctx, keys[:1], later, later.Add(-day)) })
	if got := counts(a, later.Add(-day)); got[0] != (ThrottleCount{1, later}) {
		t.Fatalf("a failure after a day's silence = %+v, want a count of 1", got)
	}
	write(a, func(tx WriteTx) error { return tx.ForgetThrottleFailures(ctx, account) })
	if got := counts(a, time.Time{}); got[0].Count != 0 {
		t.Fatalf("a forgotten count = %+v", got)
	}

	write(b, func(tx WriteTx) error { return tx.RememberKnownClient(ctx, []byte("owner"), testClock) })
	for i, k := range []string{"old", "new-1", "new-2"} {
		write(a, func(tx WriteTx) error { return tx.RememberKnownClient(ctx, []byte(k), later.Add(time.Duration(i)*time.Second)) })
	}
	if known, err := a.KnownClient(ctx, []byte("owner"), testClock.Add(-time.Second)); err != nil || !known {
		t.Fatalf("KnownClient = %v, %v; want known on the other instance", known, err)
	}
	var purged int64
	write(a, func(tx WriteTx) (err error) {
		purged, err = tx.PurgeThrottles(ctx, later.Add(-day), testClock, 10, 2)
		return err
	})
	// The address's count (a day old) and the owner (not seen after testClock) are
	// forgotten; "old" goes beyond the bound of 2 known clients.
	if purged != 3 {
		t.Errorf("purged %d rows, want 3", purged)
	}
	for k, want := range map[string]bool{"owner": false, "old": false, "new-1": true, "new-2": true} {
		if known, _ := a.KnownClient(ctx, []byte(k), time.Time{}); known != want {
			t.Errorf("known client %s after the purge: %v, want %v", k, known, want)
		}
	}
}
