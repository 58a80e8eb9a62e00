package views

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/store"
)

// hundredRows is the load test's database of 100 rows (e2e/load, storetest.AddCollaborators)
// as the tab shows it: its owner, then every other row accepted or pending, and of the
// pending ones every other e-mail delivered or failing; invited over the last 100 hours.
func hundredRows(now time.Time) (store.Database, *store.User, []store.Collaborator, []store.Event) {
	owner := &store.User{ID: 1, Email: "owner@example.com", Username: "owner"}
	db := store.Database{ID: "db_10958c1a7cf51742fd8ba87a", Name: "tab-100", OwnerID: owner.ID}
	rows := []store.Collaborator{{ID: 1, Email: owner.Email, UserID: owner.ID, Username: owner.Username, Status: store.StatusOwner}}
	for i := 1; i < 100; i++ {
		name := fmt.Sprintf("tab-100-%04d", i)
		m := store.Collaborator{ID: int64(1000 + i), Email: name + "@example.com", InvitedBy: owner.ID,
			InviterName: owner.Username, InvitedAt: now.Add(-time.Duration(i) * time.Hour), EmailID: int64(i)}
		m.SentAt, m.ExpiresAt = m.InvitedAt, m.InvitedAt.Add(7*24*time.Hour)
		switch {
		case i%2 == 0:
			m.Status, m.UserID, m.Username, m.AcceptedAt = store.StatusAccepted, int64(i), name, m.InvitedAt
		case i%4 == 1:
			m.Status, m.Delivery = store.StatusPending, store.Delivery{Attempts: 3, LastError: "connection refused"}
		default:
			m.Status, m.Delivery = store.StatusPending, store.Delivery{Attempts: 1, SentAt: m.InvitedAt}
		}
		rows = append(rows, m)
	}
	var events []store.Event
	for i := range service.EventsPerPage {
		events = append(events, store.Event{ID: int64(i), Type: store.EventInvited, ActorName: owner.Username,
			Target: fmt.Sprintf("tab-100-%04d@example.com", i), At: now})
	}
	return db, owner, rows, events
}

// TestHundredRowPageWeighsAtMost80KB: a tab of 100 rows, its Activity and popups
// included, is at most 80 KB of HTML before compression (about 160 KB when each row
// carried a menu and a <details> copy of it).
func TestHundredRowPageWeighsAtMost80KB(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	db, owner, rows, events := hundredRows(now)
	p := Page{Title: "Collaborators · " + db.Name, User: owner, CSRF: strings.Repeat("c", 43)}
	v := CollaboratorsView{Database: db, Rows: rows, Query: service.RowQuery{Page: 1, PerPage: 100}, Total: 1000,
		Now: now, Events: events, EventsPage: 1, MoreEvents: true}
	var buf bytes.Buffer
	if err := CollaboratorsPage(p, v).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), `data-testid="collaborator-row"`); n != 100 {
		t.Fatalf("%d rows rendered", n)
	}
	t.Logf("100 rows: %d bytes of HTML (%.1f KB), %.0f bytes a row on average", buf.Len(), float64(buf.Len())/1000, float64(buf.Len())/100)
	if buf.Len() > 80_000 {
		t.Errorf("the 100-row page is %d bytes, over 80 KB", buf.Len())
	}
}
