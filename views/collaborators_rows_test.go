package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"dbcollab/links"
	"dbcollab/service"
)

// TestRowActionIsTheLinkFromTheTab: a row's actions are links' URLs, written relative
// to the tab.
func TestRowActionIsTheLinkFromTheTab(t *testing.T) {
	const name = "tab-db"
	dir := links.Settings(name) + "/"
	for _, id := range []int64{1, 255, 1000, 9_223_372_036_854_775_807} {
		for action, want := range map[string]string{"revoke": links.Revoke(name, id), "owner": links.MakeOwner(name, id), "resend": links.Resend(name, id)} {
			if got := dir + string(appendRowAction(nil, id, action)); got != want {
				t.Errorf("appendRowAction(%d, %q) resolves to %s from the tab, want %s", id, action, got, want)
			}
		}
	}
}

// rowAllocBudget is what a row of the tab may allocate as it is rendered: a member's
// PostgreSQL access, a templ component, when shown (0.1 measured; 12.5 when the row was
// a templ component, whose attribute expressions box each value).
const rowAllocBudget = 1

// TestCollaboratorRowAllocatesWithinBudget: the tab's markup costs a few allocations a
// row, not the 44 it took when each row's data was copied into each of its components,
// each text went through fmt.Sprint and each link was spelled whole then cut (README,
// Performance).
func TestCollaboratorRowAllocatesWithinBudget(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	db, owner, rows, events := hundredRows(now)
	p := Page{Title: "Collaborators · " + db.Name, User: owner, CSRF: strings.Repeat("c", 43)}
	var buf bytes.Buffer
	allocs := func(n int) float64 {
		v := CollaboratorsView{Database: db, Rows: rows[:n], Query: service.RowQuery{Page: 1, PerPage: 100}, Total: 1000,
			Now: now, Events: events, EventsPage: 1, MoreEvents: true}
		return testing.AllocsPerRun(20, func() {
			buf.Reset()
			if err := CollaboratorsPage(p, v).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
		})
	}
	perRow := (allocs(100) - allocs(1)) / 99
	t.Logf("%.1f allocations a row", perRow)
	if perRow > rowAllocBudget {
		t.Errorf("a row allocates %.1f times as it is rendered, over its budget of %d", perRow, rowAllocBudget)
	}
}
