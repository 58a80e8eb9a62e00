package mailer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"dbcollab/internal/teststore"
	"dbcollab/store"
)

// countingServer counts the deliveries of each e-mail, from any number of senders.
type countingServer struct {
	mu        sync.Mutex
	delivered map[int64]int
}

func (c *countingServer) Deliver(_ context.Context, e store.Email) error {
	time.Sleep(time.Millisecond) // a real server's round trip, so that senders overlap
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivered[e.ID]++
	return nil
}

// openInstance opens the store at path, as one more instance on it.
func openInstance(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Two instances on one store, each with its sender: every e-mail is delivered once.
func TestTwoSendersOnOneStoreDeliverEachEmailOnce(t *testing.T) {
	path := teststore.DSN(t)
	server := &countingServer{delivered: map[int64]int{}}
	var senders []*Sender
	for range 2 {
		senders = append(senders, NewSender(openInstance(t, path), server, slog.New(slog.NewTextHandler(io.Discard, nil))))
	}
	const emails = 100
	ctx := t.Context()
	for range emails {
		e := store.Email{To: "someone@example.com", Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: time.Now()}
		if err := senders[0].Store.Tx(ctx, func(tx store.WriteTx) error { return tx.EnqueueEmail(ctx, &e) }); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range senders {
		wg.Go(func() { s.Run(runCtx) })
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := senders[1].Store.NextDueEmail(ctx); errors.Is(err, store.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox is not empty after 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	wg.Wait()
	server.mu.Lock()
	defer server.mu.Unlock()
	if len(server.delivered) != emails {
		t.Errorf("%d e-mails delivered, want %d", len(server.delivered), emails)
	}
	for id, n := range server.delivered {
		if n != 1 {
			t.Errorf("e-mail %d delivered %d times, want once", id, n)
		}
	}
}

// The e-mail a sender claimed when its instance died goes to another sender once the
// claim has lapsed: the same row, so the same Message-ID.
func TestEmailOfADeadSenderIsDeliveredByAnotherAfterItsLease(t *testing.T) {
	path := teststore.DSN(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dead := NewSender(openInstance(t, path), &fakeServer{}, log)
	dead.Now = clock
	e := store.Email{To: "a@example.com", Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: now}
	if err := dead.Store.Tx(t.Context(), func(tx store.WriteTx) error { return tx.EnqueueEmail(t.Context(), &e) }); err != nil {
		t.Fatal(err)
	}
	if _, err := dead.claim(t.Context()); err != nil {
		t.Fatal(err)
	}
	server := &fakeServer{}
	other := NewSender(openInstance(t, path), server, log)
	other.Now = clock

	if wait := step(t, other); wait != claimLease || server.attempts != 0 {
		t.Fatalf("while the dead sender's claim runs: %d attempts, then wait %v; want none and %v", server.attempts, wait, claimLease)
	}
	now = now.Add(claimLease)
	if wait := step(t, other); wait != idle || len(server.delivered) != 1 {
		t.Fatalf("once the claim lapsed: delivered %v, then wait %v; want a@example.com and %v", server.delivered, wait, idle)
	}
	if e, err := other.Store.NextDueEmail(t.Context()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("e-mail %d still due after its delivery (%v)", e.ID, err)
	}
}
