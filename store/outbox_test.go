package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func enqueue(t *testing.T, s *Store, to string, at time.Time) Email {
	t.Helper()
	e := Email{To: to, Subject: "s " + to, Text: "t " + to, HTML: "<p>" + to + "</p>", CreatedAt: at}
	if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.EnqueueEmail(context.Background(), &e) }); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOutboxHandsOutDueEmailsUntilSent(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	if _, err := s.NextDueEmail(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty outbox: NextDueEmail = %v, want ErrNotFound", err)
	}
	later := enqueue(t, s, "later@example.com", testClock.Add(time.Second))
	first := enqueue(t, s, "first@example.com", testClock)

	got, err := s.NextDueEmail(ctx)
	if err != nil || got.ID != first.ID {
		t.Fatalf("NextDueEmail = %d, %v; want the earliest, %d", got.ID, err, first.ID)
	}
	if got.To != first.To || got.Subject != first.Subject || got.Text != first.Text || got.HTML != first.HTML ||
		!got.NextAttemptAt.Equal(testClock) || got.Attempts != 0 || !got.SentAt.IsZero() {
		t.Errorf("NextDueEmail = %+v, want %+v due at once, never tried", got, first)
	}

	t.Run("a failed attempt is retried later", func(t *testing.T) {
		retryAt := testClock.Add(time.Minute)
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailFailed(ctx, first.ID, "connection refused", retryAt) }); err != nil {
			t.Fatal(err)
		}
		next, err := s.NextDueEmail(ctx)
		if err != nil || next.ID != later.ID {
			t.Fatalf("NextDueEmail after a failure = %d, %v; want %d, now due first", next.ID, err, later.ID)
		}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, later.ID, testClock) }); err != nil {
			t.Fatal(err)
		}
		retried, err := s.NextDueEmail(ctx)
		if err != nil || retried.ID != first.ID || retried.Attempts != 1 ||
			retried.LastError != "connection refused" || !retried.NextAttemptAt.Equal(retryAt) {
			t.Errorf("retried e-mail = %+v, %v; want 1 attempt, its error and retry time", retried, err)
		}
	})

	t.Run("a sent e-mail is never handed out again", func(t *testing.T) {
		sentAt := testClock.Add(2 * time.Minute)
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, first.ID, sentAt) }); err != nil {
			t.Fatal(err)
		}
		if e, err := s.NextDueEmail(ctx); !errors.Is(err, ErrNotFound) {
			t.Errorf("NextDueEmail after sending all = %+v, %v; want ErrNotFound", e, err)
		}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, first.ID, sentAt) }); !errors.Is(err, ErrNotFound) {
			t.Errorf("marking a sent e-mail sent again: %v, want ErrNotFound", err)
		}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailFailed(ctx, first.ID, "late failure", sentAt) }); !errors.Is(err, ErrNotFound) {
			t.Errorf("marking a sent e-mail failed: %v, want ErrNotFound", err)
		}
		var attempts int
		var lastError string
		if err := s.q.QueryRowContext(context.Background(), `SELECT attempts, last_error FROM outbox WHERE id = ?`, first.ID).Scan(&attempts, &lastError); err != nil {
			t.Fatal(err)
		}
		if attempts != 2 || lastError != "" {
			t.Errorf("sent e-mail: attempts %d, last_error %q; want 2 and cleared", attempts, lastError)
		}
	})
}

// bodies reads an e-mail's bodies as stored.
func bodies(t *testing.T, s *Store, id int64) (text, html string) {
	t.Helper()
	if err := s.q.QueryRowContext(context.Background(), `SELECT text_body, html_body FROM outbox WHERE id = ?`, id).Scan(&text, &html); err != nil {
		t.Fatal(err)
	}
	return text, html
}

// A delivered e-mail's link is of no use to whoever copies the file: the row keeps only
// what its delivery state needs.
func TestDeliveredEmailKeepsNoBody(t *testing.T) {
	s, _ := openTestStore(t)
	e := enqueue(t, s, "pia@example.com", testClock)
	if err := s.Tx(t.Context(), func(tx WriteTx) error { return tx.MarkEmailSent(t.Context(), e.ID, testClock.Add(time.Second)) }); err != nil {
		t.Fatal(err)
	}
	if text, html := bodies(t, s, e.ID); text != "" || html != "" {
		t.Errorf("delivered e-mail keeps its bodies %q, %q", text, html)
	}
}

// A refusal for good is recorded with its reason, clears the bodies like a delivery,
// and the e-mail is neither handed out again nor made due by RetryFailedEmailsNow.
func TestRefusedEmailIsFailedForGood(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()
	e := enqueue(t, s, "gone@example.com", testClock)
	if err := s.Tx(ctx, func(tx WriteTx) error {
		return tx.MarkEmailRefused(ctx, e.ID, "550 5.1.1 mailbox unavailable", testClock.Add(time.Second))
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.NextDueEmail(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused e-mail is handed out again: %+v, %v", got, err)
	}
	var n int64
	if err := s.Tx(ctx, func(tx WriteTx) (err error) {
		n, err = tx.RetryFailedEmailsNow(ctx, testClock.Add(time.Hour))
		return err
	}); err != nil || n != 0 {
		t.Errorf("RetryFailedEmailsNow = %d, %v; want 0: a refusal is not retried", n, err)
	}
	if text, html := bodies(t, s, e.ID); text != "" || html != "" {
		t.Errorf("refused e-mail keeps its bodies %q, %q", text, html)
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, e.ID, testClock) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("marking a refused e-mail sent: %v, want ErrNotFound", err)
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailFailed(ctx, e.ID, "421 later", testClock) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("marking a refused e-mail for a retry: %v, want ErrNotFound", err)
	}
}

// Finished e-mails go after the retention period; the invitation that pointed at one
// forgets it (no delivery state), and unsent or recent e-mails stay.
func TestPurgeFinishedEmailsDeletesOnlyFinishedRowsBeforeTheCutoff(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()
	owner := createUser(t, s, "olivia@example.com", "olivia")
	db := createDatabase(t, s, "db1", "orders-db", owner)
	oldSent := enqueue(t, s, "old@example.com", testClock)
	oldRefused := enqueue(t, s, "gone@example.com", testClock)
	recent := enqueue(t, s, "recent@example.com", testClock)
	unsent := enqueue(t, s, "unsent@example.com", testClock)
	invited := Collaborator{DatabaseID: db.ID, Email: "old@example.com", Status: StatusPending, InvitedBy: owner.ID,
		TokenHash: []byte("hash"), InvitedAt: testClock, SentAt: testClock, EmailID: oldSent.ID}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.InsertCollaborator(ctx, &invited) }); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, oldSent.ID, testClock) }),
		s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailRefused(ctx, oldRefused.ID, "550 no", testClock) }),
		s.Tx(ctx, func(tx WriteTx) error { return tx.MarkEmailSent(ctx, recent.ID, testClock.Add(2*time.Hour)) }),
		s.Tx(ctx, func(tx WriteTx) error {
			return tx.MarkEmailFailed(ctx, unsent.ID, "421 later", testClock.Add(time.Minute))
		}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	err := s.Tx(ctx, func(tx WriteTx) (err error) {
		n, err = tx.PurgeFinishedEmails(ctx, testClock.Add(time.Hour))
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("PurgeFinishedEmails = %d, %v; want the 2 finished before the cutoff", n, err)
	}
	var left []int64
	rows, err := s.q.QueryContext(ctx, `SELECT id FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	if want := []int64{recent.ID, unsent.ID}; !slices.Equal(left, want) {
		t.Errorf("outbox after the purge: %v, want %v", left, want)
	}
	m, err := s.LiveCollaborator(ctx, db.ID, invited.ID)
	if err != nil || m.EmailID != 0 || m.Delivery != (Delivery{}) {
		t.Errorf("invitation after its e-mail's purge: %+v, %v; want no e-mail", m, err)
	}
}

func TestOutboxKeepsTheReplyToAddress(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	e := Email{To: "pia@example.com", ReplyTo: "olivia@example.com", Subject: "s", Text: "t", HTML: "h", CreatedAt: testClock}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EnqueueEmail(ctx, &e) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.NextDueEmail(ctx)
	if err != nil || got.ReplyTo != "olivia@example.com" {
		t.Fatalf("NextDueEmail = %+v, %v; want Reply-To olivia@example.com", got, err)
	}
}
