package mailer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"dbcollab/internal/teststore"
	"dbcollab/store"
)

// refusingOnce fails its first delivery with a multi-line SMTP answer.
type refusingOnce struct{ calls int }

func (r *refusingOnce) Deliver(context.Context, store.Email) error {
	r.calls++
	if r.calls == 1 {
		return errors.New("421 4.3.0 Service not available\nclosing transmission channel\nretry later")
	}
	return nil
}

// The dashboard shows a failing invitation with the first line of the SMTP error: the
// sender keeps only that line, and clears it once the e-mail leaves.
func TestSenderRecordsTheFirstLineOfAFailureThenTheDelivery(t *testing.T) {
	st, _ := teststore.Open(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	e := store.Email{To: "pia@example.com", Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: now}
	if err := st.Tx(t.Context(), func(tx store.WriteTx) error { return tx.EnqueueEmail(t.Context(), &e) }); err != nil {
		t.Fatal(err)
	}
	s := NewSender(st, &refusingOnce{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Now = func() time.Time { return now }

	if _, err := s.deliverNext(); err != nil {
		t.Fatal(err)
	}
	failed, err := st.NextDueEmail(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if failed.LastError != "421 4.3.0 Service not available" || failed.Attempts != 1 || !failed.NextAttemptAt.Equal(now.Add(firstRetry)) {
		t.Fatalf("after the failure: %q, %d attempts, next at %v", failed.LastError, failed.Attempts, failed.NextAttemptAt)
	}

	now = now.Add(firstRetry)
	if _, err := s.deliverNext(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.NextDueEmail(t.Context()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the e-mail is still queued: %v", err)
	}
}
