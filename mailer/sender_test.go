package mailer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"dbcollab/internal/teststore"
	"dbcollab/store"
)

// fakeServer is an SMTP server that is down, or refuses some recipients for now
// (refuses) or for good (refusesForGood).
type fakeServer struct {
	down           bool
	refuses        string
	refusesForGood string
	attempts       int
	delivered      []string
}

func (f *fakeServer) Deliver(_ context.Context, e store.Email) error {
	f.attempts++
	switch {
	case f.down:
		return fmt.Errorf("%w: dial tcp: connection refused", ErrUnreachable)
	case e.To == f.refuses:
		return errors.New("452 4.2.2 mailbox full")
	case e.To == f.refusesForGood:
		return refusal{errors.New("550 5.1.1 mailbox unavailable")}
	}
	f.delivered = append(f.delivered, e.To)
	return nil
}

func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// senderWithQueue returns a sender on a fresh store holding one e-mail per address, and
// its clock.
func senderWithQueue(t *testing.T, server *fakeServer, addresses ...string) (*Sender, *time.Time) {
	t.Helper()
	s, now, _ := senderWithQueueDSN(t, server, addresses...)
	return s, now
}

// senderWithQueueDSN is senderWithQueue that also returns where its store is
// (internal/teststore), for tests that read the outbox as stored.
func senderWithQueueDSN(t *testing.T, server *fakeServer, addresses ...string) (*Sender, *time.Time, string) {
	t.Helper()
	st, dsn := teststore.Open(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, to := range addresses {
		e := store.Email{To: to, Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: now}
		if err := st.Tx(t.Context(), func(tx store.WriteTx) error { return tx.EnqueueEmail(t.Context(), &e) }); err != nil {
			t.Fatal(err)
		}
	}
	s := NewSender(st, server, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Now = func() time.Time { return now }
	return s, &now, dsn
}

// step runs the sender as Run does, without waiting: it returns the wait deliverNext
// asks for once it has nothing to do at once.
func step(t *testing.T, s *Sender) time.Duration {
	t.Helper()
	for range 100 {
		wait, err := s.deliverNext()
		if err != nil {
			t.Fatal(err)
		}
		if wait > 0 {
			return wait
		}
	}
	t.Fatal("the sender never waits")
	return 0
}

func TestUnreachableServerIsTriedOncePerDelayThenTheQueueLeavesAtOnce(t *testing.T) {
	server := &fakeServer{down: true}
	s, now := senderWithQueue(t, server, "a@example.com", "b@example.com", "c@example.com", "d@example.com")

	// Down: one attempt, then a pause of firstRetry, then one attempt and a pause twice as long.
	if wait := step(t, s); wait != firstRetry || server.attempts != 1 {
		t.Fatalf("first attempt: %d attempts, then wait %v; want 1 and %v", server.attempts, wait, firstRetry)
	}
	s.Wake() // new e-mail during the pause: nothing is tried before its end
	if wait := step(t, s); wait != firstRetry || server.attempts != 1 {
		t.Fatalf("during the pause: %d attempts, then wait %v; want still 1 and %v", server.attempts, wait, firstRetry)
	}
	*now = now.Add(firstRetry)
	if wait := step(t, s); wait != 2*firstRetry || server.attempts != 2 {
		t.Fatalf("first retry: %d attempts, then wait %v; want 2 and %v", server.attempts, wait, 2*firstRetry)
	}

	// Back: the first success makes the failed e-mails due, and all leave at once.
	server.down = false
	*now = now.Add(2 * firstRetry)
	if wait := step(t, s); wait != idle {
		t.Fatalf("after the outage the sender waits %v with %v delivered; want the outbox empty", wait, server.delivered)
	}
	if len(server.delivered) != 4 || server.attempts != 6 {
		t.Errorf("after the outage: delivered %v in %d attempts; want all 4 in 6", server.delivered, server.attempts)
	}
}

func TestRefusedRecipientDelaysOnlyItsOwnEmail(t *testing.T) {
	server := &fakeServer{refuses: "gone@example.com"}
	s, _ := senderWithQueue(t, server, "gone@example.com", "a@example.com", "b@example.com")

	if wait := step(t, s); wait != firstRetry {
		t.Errorf("with only the refused e-mail left, the sender waits %v; want its retry in %v", wait, firstRetry)
	}
	if len(server.delivered) != 2 || server.attempts != 3 {
		t.Errorf("delivered %v in %d attempts; want the 2 others at once, in 3", server.delivered, server.attempts)
	}
}

func TestRetryDelaysDoubleFromSecondsUpToFiveMinutes(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second,
		64 * time.Second, 128 * time.Second, 256 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for attempts, d := range want {
		if got := retryDelay(attempts); got != d {
			t.Errorf("retryDelay(%d) = %v, want %v", attempts, got, d)
		}
	}
}

// A 5xx answer is final: the e-mail is tried once, then failed with the server's words,
// while the others leave.
func TestRefusalForGoodIsTriedOnceAndMarkedFailed(t *testing.T) {
	server := &fakeServer{refusesForGood: "gone@example.com"}
	s, now, dsn := senderWithQueueDSN(t, server, "gone@example.com", "a@example.com")
	if wait := step(t, s); wait != idle {
		t.Errorf("after the refusal the sender waits %v; want the outbox empty (%v)", wait, idle)
	}
	*now = now.Add(time.Hour)
	s.retryFailedNow(t.Context())
	step(t, s)
	if server.attempts != 2 || len(server.delivered) != 1 {
		t.Errorf("%d attempts, delivered %v; want the refused e-mail tried once, the other delivered", server.attempts, server.delivered)
	}
	var failedAt sql.NullInt64
	var lastError string
	var attempts int
	db := teststore.SQL(t, dsn)
	if err := db.QueryRow(`SELECT failed_at, last_error, attempts FROM outbox WHERE to_addr = 'gone@example.com'`).
		Scan(&failedAt, &lastError, &attempts); err != nil {
		t.Fatal(err)
	}
	if !failedAt.Valid || lastError != "550 5.1.1 mailbox unavailable" || attempts != 1 {
		t.Errorf("refused e-mail: failed_at %v, last_error %q, %d attempts; want failed, the 550 line, 1", failedAt, lastError, attempts)
	}
}

// Delivered e-mails stay (without bodies) for Retention, then the sender's sweep
// deletes them.
func TestSenderPurgesDeliveredEmailsAfterTheRetention(t *testing.T) {
	server := &fakeServer{}
	s, now, dsn := senderWithQueueDSN(t, server, "a@example.com")
	s.Retention = 48 * time.Hour
	step(t, s)
	db := teststore.SQL(t, dsn)
	rows := func() (n int) {
		if err := db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s.sweepIfDue(t.Context())
	*now = now.Add(47 * time.Hour)
	s.sweepIfDue(t.Context())
	if n := rows(); n != 1 {
		t.Fatalf("within the retention: %d rows, want the delivered one", n)
	}
	*now = now.Add(time.Hour + time.Second)
	s.sweepIfDue(t.Context())
	if n := rows(); n != 0 {
		t.Errorf("after the retention: %d rows, want none", n)
	}
}
