package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"dbcollab/store"
)

// tabStatementBudget is what a view of the Collaborators tab may ask the database,
// whatever its rows: the signed-in user, the membership check, the rows, a page of
// Activity.
const tabStatementBudget = 4

// view serves the tab to the signed-in owner with ctx, checks that it shows rows rows
// and returns the answer's size.
func (f *tabFixture) view(t *testing.T, ctx context.Context, rows int) int {
	t.Helper()
	rec := f.serve(f.browserGet(ctx, f.tabPath()))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", f.tabPath(), rec.Code)
	}
	if n := strings.Count(rec.Body.String(), `data-testid="collaborator-row"`); n != rows {
		t.Fatalf("the tab shows %d rows, want %d", n, rows)
	}
	return rec.Body.Len()
}

// statementsPerView counts the SQL statements of one view of the tab.
func (f *tabFixture) statementsPerView(t *testing.T, rows int) int {
	t.Helper()
	ctx, counter := store.CountStatements(context.Background())
	f.view(t, ctx, rows)
	return counter.Count()
}

func TestCollaboratorsTabStatementsDoNotGrowWithRows(t *testing.T) {
	f := newTabFixture(t, 10)
	with10 := f.statementsPerView(t, 11)
	f.addRows(t, "more", 190)
	with200 := f.statementsPerView(t, 201)
	if with10 == 0 {
		t.Fatal("no statement counted: the counter does not see the page's queries")
	}
	if with10 != with200 {
		t.Errorf("a view of the tab runs %d statements with 10 collaborators, %d with 200: a query per row?", with10, with200)
	}
	if with200 > tabStatementBudget {
		t.Errorf("a view of the tab runs %d statements, over its budget of %d", with200, tabStatementBudget)
	}
}

// The cost is counted in allocations, which do not drift with the machine's load as
// time does: each row's scan and markup allocates, so a cost that grows faster than the
// rows shows here.
func TestCollaboratorsTabCostIsLinearInRows(t *testing.T) {
	f := newTabFixture(t, 100)
	allocs := func(rows int) float64 {
		f.view(t, context.Background(), rows) // warm: prepared statements, pools
		return testing.AllocsPerRun(3, func() { f.serve(f.browserGet(context.Background(), f.tabPath())) })
	}
	at100 := allocs(101)
	f.addRows(t, "more", 900)
	at1000 := allocs(1001)
	if at1000 > 10*at100 {
		t.Errorf("a view of the tab allocates %.0f times with 1000 collaborators, %.0f with 100: more than 10×", at1000, at100)
	}
	t.Logf("allocations per view: %.0f with 100 collaborators, %.0f with 1000", at100, at1000)
}
