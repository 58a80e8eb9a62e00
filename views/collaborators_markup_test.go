package views

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/store"
)

// rowsMarkupGolden is the tab with rows of every kind as templ rendered them before the
// row was written in Go (collaborator_row.go); DBCOLLAB_UPDATE_GOLDEN=1 rewrites it.
const rowsMarkupGolden = "testdata/collaborator_rows.golden.html"

// TestCollaboratorRowsMarkupIsUnchanged: the tab's rows, as the owner and as a
// collaborator sees them (owner, self, accepted, pending with each delivery state,
// expired, every PostgreSQL access state, addresses and errors that need escaping),
// are byte for byte the markup they were.
func TestCollaboratorRowsMarkupIsUnchanged(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	db, owner, rows, events := hundredRows(now)
	rows = rows[:9]
	carol := &store.User{ID: 2, Email: "o'brien&co@example.com", Username: "carol"}
	rows = append(rows,
		store.Collaborator{ID: 2001, Email: carol.Email, UserID: carol.ID, Username: carol.Username, Status: store.StatusAccepted,
			InviterName: owner.Username, InvitedAt: now.Add(-48 * time.Hour), AcceptedAt: now.Add(-47 * time.Hour)},
		store.Collaborator{ID: 2002, Email: `"<x>"@example.com`, Status: store.StatusPending, InvitedAt: now.Add(-time.Minute),
			SentAt: now.Add(-time.Minute), ExpiresAt: now.Add(7 * 24 * time.Hour), EmailID: 7,
			Delivery: store.Delivery{Attempts: 9, FailedAt: now, LastError: "550 <script>alert(1)</script> & \"no\""}},
		store.Collaborator{ID: 2003, Email: "expired@example.com", Status: store.StatusExpired, InviterName: "carol",
			InvitedAt: now.Add(-10 * 24 * time.Hour), SentAt: now.Add(-10 * 24 * time.Hour), ExpiresAt: now.Add(-3 * 24 * time.Hour), EmailID: 8},
		store.Collaborator{ID: 2004, Email: "old@example.com", Status: store.StatusPending, InvitedAt: now.Add(-30 * time.Second),
			SentAt: now.Add(-30 * time.Second), ExpiresAt: now.Add(30 * time.Minute)},
		store.Collaborator{ID: 2005, Email: "nodate@example.com", UserID: 9, Username: "nodate", Status: store.StatusAccepted},
	)
	access := AccessView{Members: map[int64]MemberAccess{
		owner.ID: {State: "active", Sessions: 2}, carol.ID: {State: "active"}, 2: {State: "active"}, 4: {State: "granting"},
		6: {State: "revoking"}, 8: {State: "failing", Error: "role \"m<8>\" does not exist\nDETAIL: x"}, 9: {State: "none"},
	}}
	var got bytes.Buffer
	for _, viewer := range []*store.User{owner, carol} {
		p := Page{Title: "Collaborators · " + db.Name, User: viewer, CSRF: strings.Repeat("c", 43)}
		v := CollaboratorsView{Database: db, Rows: rows, Query: service.RowQuery{Page: 1, PerPage: 50}, Total: 1000,
			Now: now, Events: events, EventsPage: 1, MoreEvents: true, Access: access}
		if err := CollaboratorsPage(p, v).Render(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
	}
	if os.Getenv("DBCOLLAB_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(rowsMarkupGolden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(rowsMarkupGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		i := 0
		for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
			i++
		}
		t.Errorf("the markup differs from %s at byte %d:\n got %q\nwant %q", rowsMarkupGolden, i,
			got.Bytes()[max(i-80, 0):min(i+80, got.Len())], want[max(i-80, 0):min(i+80, len(want))])
	}
}
