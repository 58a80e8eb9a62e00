package handlers_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dbcollab/internal/teststore"
	"dbcollab/service"
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

// TestCollaboratorsTabStatementsDoNotGrowWithRows: the first page of a database of
// 10,000 collaborators asks the database as many statements as that of a 3-row one.
func TestCollaboratorsTabStatementsDoNotGrowWithRows(t *testing.T) {
	teststore.SQLiteOnly(t, "10,000 rows seeded a statement at a time take minutes over a connection; the statements counted are the service's, the same on both stores")
	f := newTabFixture(t, 2)
	with3 := f.statementsPerView(t, 3)
	f.addRows(t, "more", 9997)
	with10000 := f.statementsPerView(t, service.RowsPerPage)
	if with3 == 0 {
		t.Fatal("no statement counted: the counter does not see the page's queries")
	}
	t.Logf("%d statements per view with 3 collaborators, %d with 10,000", with3, with10000)
	if with3 != with10000 {
		t.Errorf("a view of the tab runs %d statements with 3 collaborators, %d with 10,000: a query per row?", with3, with10000)
	}
	if with10000 > tabStatementBudget {
		t.Errorf("a view of the tab runs %d statements, over its budget of %d", with10000, tabStatementBudget)
	}
}

// The cost is counted in allocations, which do not drift with the machine's load as
// time does; each row's scan and markup allocates. Up to a page (50 rows) the cost grows
// with the rows; past it, the page costs the same however many rows the database holds.
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
	f.addRows(t, "first", 9)
	allocs := func(rows int) float64 {
		f.view(t, context.Background(), rows) // warm: prepared statements, pools
		return testing.AllocsPerRun(3, func() {
			f.server.DropCachedTabs() // so that the view is made afresh
			f.serve(f.browserGet(context.Background(), f.tabPath()))
		})
	}
	at10 := allocs(10)
	f.addRows(t, "to-50", 40)
	at50 := allocs(50)
	f.addRows(t, "to-100", 50)
	at100 := allocs(50)
	f.addRows(t, "to-1000", 900)
	at1000 := allocs(50)
	perRow := (at50 - at10) / 40
	t.Logf("allocations per view: %.0f with 10 collaborators, %.0f with 50, %.0f with 100, %.0f with 1000 (a page of 50); per row %.1f",
		at10, at50, at100, at1000, perRow)
	// 900 more rows off the page may cost 100 allocations, no more: a count that grew
	// with them would be hundreds past it, while the two views differ by 54 (by up to 73
	// under -race). Counted in rows, this was two shown rows' worth when a row cost 31.
	if at1000 > at100+100 {
		t.Errorf("the first page allocates %.0f times with 1000 collaborators, %.0f with 100: it grows with the rows it does not show",
			at1000, at100)
	}
}
