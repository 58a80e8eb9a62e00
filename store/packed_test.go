package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPackedRowKeepsADeliveryErrorHoldingTheSeparator: the page's row is read as
// one packed column; its last field, the delivery's last error, is whatever the mail
// server said, separator and all, and comes back whole.
func TestPackedRowKeepsADeliveryErrorHoldingTheSeparator(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	lastError := "550 no\x1fsuch user\x1f\x1f: <x@example.com> ünïcode \t"
	mail := Email{To: "erin@example.com", Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: testClock}
	err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.EnqueueEmail(ctx, &mail); err != nil {
			return err
		}
		return tx.MarkEmailFailed(ctx, mail.ID, lastError, testClock.Add(time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	insertRow(t, s, Collaborator{DatabaseID: tm.db.ID, Email: mail.To, Status: StatusPending, InvitedBy: tm.owner.ID,
		TokenHash: tokenHash("t1"), InvitedAt: testClock, SentAt: testClock, EmailID: mail.ID})
	page, _, err := s.CollaboratorsPage(ctx, tm.db.ID, RowFilter{Status: StatusPending, ExpiredFrom: testClock.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 {
		t.Fatalf("%d rows, want 1", len(page))
	}
	m := page[0]
	if m.Delivery.LastError != lastError || m.Email != mail.To || m.InviterName != tm.owner.Username || m.EmailID != mail.ID {
		t.Errorf("row read as %+v, want the last error %q, address %s, inviter %s", m, lastError, mail.To, tm.owner.Username)
	}
}

// packedInGo is what packed's SQL makes of these values: a NULL (nil) as nothing.
func packedInGo(values ...any) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(fieldSep)
		}
		switch v := v.(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case string:
			b.WriteString(v)
		}
	}
	return b.String()
}

// FuzzPackedFields: fields without the separator, then a last field of any text, come
// back as they went in; any column at all reads without a panic, and one with too few
// fields is an error.
func FuzzPackedFields(f *testing.F) {
	f.Add(int64(1), "bob@example.com", int64(-5), "", "tail\x1f\x1f")
	f.Add(int64(0), "", int64(1733097600000000), "pending", "")
	f.Fuzz(func(t *testing.T, id int64, name string, micros int64, status, last string) {
		if strings.Contains(name, fieldSep) || strings.Contains(status, fieldSep) {
			t.Skip("only the last field may hold the separator")
		}
		column := packedInGo(id, name, nil, micros, nil, status, last)
		p := packedFields{rest: column}
		gotID, gotName, gotNull, gotTime, gotNullTime, gotStatus, gotLast := p.int(), p.text(), p.int(), p.time(), p.time(), p.text(), p.last()
		if p.err != nil {
			t.Fatalf("%q: %v", column, p.err)
		}
		if gotID != id || gotName != name || gotNull != 0 || !gotTime.Equal(fromMicros(micros)) || !gotNullTime.IsZero() ||
			gotStatus != status || gotLast != last {
			t.Errorf("%q read as %d %q %d %v %v %q %q", column, gotID, gotName, gotNull, gotTime, gotNullTime, gotStatus, gotLast)
		}
		// Any text: no panic; fewer separators than fields, an error.
		p = packedFields{rest: last}
		p.int()
		p.time()
		p.text()
		p.last()
		if strings.Count(last, fieldSep) < 3 && !errors.Is(p.err, errPackedFields) {
			t.Errorf("%q read as four fields without error", last)
		}
	})
}
