package handlers_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dbcollab/store"
	"dbcollab/store/storetest"
)

// tabStatementBudget is what a view of the Collaborators tab may ask the database,
// whatever its rows: the signed-in user, the membership check, the rows, a page of
// Activity.
const tabStatementBudget = 4

// view serves the tab to the signed-in owner with ctx and checks that it shows rows rows.
func (f *tabFixture) view(t *testing.T, ctx context.Context, rows int) {
	t.Helper()
	rec := f.serve(f.browserGet(ctx, f.tabPath()))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", f.tabPath(), rec.Code)
	}
	page := decompressed(t, rec)
	if n := strings.Count(page, `data-testid="collaborator-row"`); n != rows {
		t.Fatalf("the tab shows %d rows, want %d", n, rows)
	}
}

// decompressed is the body of rec, gunzipped if it came compressed.
func decompressed(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec.Body.String()
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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
// time does; each row's scan and markup allocates, so a cost that grows faster than the
// rows shows as rows that cost more the more there are. The view at 1000 must also stay
// within 10× the view at 100, though with almost no fixed part left that ratio is near
// 10× for any linear cost.
func TestCollaboratorsTabCostIsLinearInRows(t *testing.T) {
	f := newTabFixture(t, 0)
	// Rows of another database first, so that every ID of the rows measured is past 255:
	// smaller integers box without allocating, which would make the first rows cheaper.
	other, err := f.svc.CreateDatabase(context.Background(), f.owner.ID, newDatabase("other-db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.AddCollaborators(context.Background(), f.store, other, "other", 300); err != nil {
		t.Fatal(err)
	}
	f.addRows(t, "first", 10)
	allocs := func(rows int) float64 {
		f.view(t, context.Background(), rows) // warm: prepared statements, pools
		return testing.AllocsPerRun(3, func() {
			f.server.DropCachedTabs() // so that the view is made afresh
			f.serve(f.browserGet(context.Background(), f.tabPath()))
		})
	}
	at10 := allocs(11)
	f.addRows(t, "to-100", 90)
	at100 := allocs(101)
	f.addRows(t, "to-1000", 900)
	at1000 := allocs(1001)
	perRowTo100, perRowTo1000 := (at100-at10)/90, (at1000-at100)/900
	t.Logf("allocations per view: %.0f with 10 collaborators, %.0f with 100, %.0f with 1000 (%.1f× the view at 100); per row %.1f up to 100, %.1f beyond",
		at10, at100, at1000, at1000/at100, perRowTo100, perRowTo1000)
	if at1000 > 10*at100 {
		t.Errorf("a view of the tab allocates %.0f times with 1000 collaborators, over 10× the %.0f with 100", at1000, at100)
	}
	if perRowTo1000 > 1.1*perRowTo100 {
		t.Errorf("a row costs %.1f allocations between 100 and 1000 rows, %.1f between 10 and 100: the cost grows faster than the rows",
			perRowTo1000, perRowTo100)
	}
}
