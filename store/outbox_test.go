package store

import (
	"context"
	"errors"
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
		if err := s.db.QueryRow(`SELECT attempts, last_error FROM outbox WHERE id = ?`, first.ID).Scan(&attempts, &lastError); err != nil {
			t.Fatal(err)
		}
		if attempts != 2 || lastError != "" {
			t.Errorf("sent e-mail: attempts %d, last_error %q; want 2 and cleared", attempts, lastError)
		}
	})
}
