package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/handlers"
	"dbcollab/store"
)

// Issue 12, the tab at any size: search, status filter and pages of 50 rows over GET
// (no JavaScript), dates on each row, and a cache that never shows a stale date.

// pagerLink is the href of the rows' Previous or Next link ("prev", "next"), or "".
func pagerLink(page *response, rel string) string {
	return page.doc.Find(`[data-testid=row-pager] a[rel=`+rel+`]`).AttrOr("href", "")
}

func emailsOf(page *response) []string {
	var out []string
	for _, r := range collaboratorRows(page) {
		out = append(out, r.Email)
	}
	return out
}

// query is the query of a link, decoded.
func query(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestTabSearchesFiltersAndPagesWithoutJavaScript(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0, func(s *handlers.Server) { s.Service.InviteLimitPerInviter = 0 })
	for i := range 60 {
		h.invite(h.owner, fmt.Sprintf("guest%02d@example.com", i))
	}
	owner := h.signedIn(h.owner)
	tab := h.collaboratorsPath()

	page := owner.get(tab).expectStatus(http.StatusOK)
	if rows := emailsOf(page); len(rows) != 50 || rows[0] != h.owner.Email || rows[49] != "guest46@example.com" {
		t.Fatalf("page 1: %d rows, from %q to %q", len(rows), rows[0], rows[len(rows)-1])
	}
	if got := page.text("[data-testid=row-count]"); got != "1–50 of 63" {
		t.Errorf("page 1 says %q", got)
	}
	if pagerLink(page, "prev") != "" || pagerLink(page, "next") != tab+"?p=2" {
		t.Errorf("page 1 links to %q and %q", pagerLink(page, "prev"), pagerLink(page, "next"))
	}
	form := page.doc.Find("form[data-testid=row-filter]")
	if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != tab {
		t.Errorf("the search form: %s %s", form.AttrOr("method", ""), form.AttrOr("action", ""))
	}
	page.expectField("Email or username", "")
	var options []string
	page.field("Status").Find("option").Each(func(_ int, o *goquery.Selection) {
		options = append(options, o.AttrOr("value", "")+"="+textOf(o))
	})
	if want := []string{"all=All", "accepted=Accepted", "pending=Pending", "expired=Expired"}; !slices.Equal(options, want) {
		t.Errorf("status options %q, want %q", options, want)
	}

	page = owner.get(tab + "?p=2").expectStatus(http.StatusOK)
	if got := page.text("[data-testid=row-count]"); got != "51–63 of 63" || len(emailsOf(page)) != 13 {
		t.Errorf("page 2 says %q over %d rows", got, len(emailsOf(page)))
	}
	if pagerLink(page, "prev") != tab || pagerLink(page, "next") != "" {
		t.Errorf("page 2 links to %q and %q", pagerLink(page, "prev"), pagerLink(page, "next"))
	}

	for _, c := range []struct {
		name, query, count string
		rows               []string
	}{
		{"a piece of addresses, pending", "?q=GUEST0&status=pending", "1–10 of 10", nil},
		{"a username", "?q=Carl", "1–1 of 1", []string{h.collaborator.Email}},
		{"accepted", "?status=accepted", "1–1 of 1", []string{h.collaborator.Email}},
		{"a LIKE wildcard is a character", "?q=%25", "No collaborator matches", nil},
		{"nothing matches", "?q=nobody", "No collaborator matches", nil},
		{"a hand-made page and status stand for the defaults", "?p=abc&status=bogus", "1–50 of 63", nil},
		{"past the last page", "?q=guest&p=9", "No rows on this page, of 60", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := owner.get(tab + c.query).expectStatus(http.StatusOK)
			if got := page.text("[data-testid=row-count]"); got != c.count {
				t.Errorf("%s says %q, want %q", c.query, got, c.count)
			}
			if c.rows != nil && !slices.Equal(emailsOf(page), c.rows) {
				t.Errorf("%s lists %q, want %q", c.query, emailsOf(page), c.rows)
			}
		})
	}
	page = owner.get(tab + "?q=GUEST0&status=pending").expectStatus(http.StatusOK)
	page.expectField("Email or username", "GUEST0")
	if got := page.field("Status").Find("option[selected]").AttrOr("value", ""); got != "pending" {
		t.Errorf("the status filter shows %q, want pending", got)
	}
	if got := pagerLink(owner.get(tab+"?q=guest&p=9").expectStatus(http.StatusOK), "prev"); got != tab+"?p=2&q=guest" {
		t.Errorf("past the last page, Previous goes to %q", got)
	}

	// The rows' pages and the Activity's keep each other, and the search, in the URL.
	page = owner.get(tab + "?q=guest&p=2&page=2").expectStatus(http.StatusOK)
	if got := page.text("[data-testid=row-count]"); got != "51–60 of 60" {
		t.Errorf("guests, page 2, says %q", got)
	}
	if got := query(t, pagerLink(page, "prev")); got.Encode() != "page=2&q=guest" {
		t.Errorf("Previous rows keep %q", got.Encode())
	}
	if got := query(t, page.link("Newer").AttrOr("href", "")); got.Encode() != "p=2&page=1&q=guest" {
		t.Errorf("Newer Activity keeps %q", got.Encode())
	}
	if got := query(t, page.link("Older").AttrOr("href", "")); got.Encode() != "p=2&page=3&q=guest" {
		t.Errorf("Older Activity keeps %q", got.Encode())
	}
	if got := page.doc.Find(`form[data-testid=row-filter] input[type=hidden][name=page]`).AttrOr("value", ""); got != "2" {
		t.Errorf("a search from Activity page 2 keeps page %q", got)
	}

	// A search that cannot be one is said next to the field, which keeps it.
	long := strings.Repeat("a", 255)
	page = owner.get(tab + "?q=" + long).expectStatus(http.StatusOK)
	page.expectField("Email or username", long)
	page.expectFieldError("Email or username", "q", "Search at most 254 characters")
	if got := page.text("title"); !strings.HasPrefix(got, "Error: ") {
		t.Errorf("title %q", got)
	}
	if got := page.text("[data-testid=row-count]"); got != "1–50 of 63" {
		t.Errorf("with a refused search the page says %q", got)
	}
}

func TestTabCountsInThousands(t *testing.T) {
	f := newTabFixture(t, 999)
	rec := f.serve(f.browserGet(context.Background(), f.tabPath()))
	page := decompressed(t, rec)
	if !strings.Contains(page, "1–50 of 1,000") {
		t.Error(`the first page of 1,000 rows does not say "1–50 of 1,000"`)
	}
}

// TestRowsSayWhen: with links that last 7 days, "joined 27 Nov 2026" on an accepted row,
// "invited by olivia · 2 days ago · expires in 5 days" on a pending one, "expired 3 days
// ago" once expired, and nothing on the owner's.
func TestRowsSayWhen(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0, func(s *handlers.Server) { s.Service.InviteTTL = 7 * 24 * time.Hour })
	owner := h.signedIn(h.owner)
	when := func(email string) string {
		t.Helper()
		return textOf(rowOf(owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK), email).Find("td small"))
	}
	if got := when(h.invitee.Email); got != "invited by olivia · just now · expires in 7 days" {
		t.Errorf("at once: %q", got)
	}
	clock.Advance(2 * 24 * time.Hour)
	for email, want := range map[string]string{
		h.owner.Email:        "",
		h.collaborator.Email: "joined 27 Nov 2026",
		h.invitee.Email:      "invited by olivia · 2 days ago · expires in 5 days",
	} {
		if got := when(email); got != want {
			t.Errorf("%s: %q, want %q", email, got, want)
		}
	}
	clock.Advance(5*24*time.Hour - 90*time.Minute)
	if got := when(h.invitee.Email); got != "invited by olivia · 6 days ago · expires in 2 hours" {
		t.Errorf("90 minutes before its expiry: %q", got)
	}
	clock.Advance(time.Hour)
	if got := when(h.invitee.Email); got != "invited by olivia · 6 days ago · expires in 30 minutes" {
		t.Errorf("30 minutes before its expiry: %q", got)
	}
	clock.Advance(3*24*time.Hour + 30*time.Minute)
	if got := when(h.invitee.Email); got != "expired 3 days ago" {
		t.Errorf("3 days after its expiry: %q", got)
	}
}

// rowsText is the table of a page as read, dates included.
func rowsText(t *testing.T, body string) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return textOf(doc.Find("[data-testid=collaborators] tbody"))
}

// TestCachedTabNeverShowsAStaleDate walks the clock over 9 days in uneven steps, across
// minutes, hours, days and expiries: after each step the tab, served from the cache when
// it can be, reads exactly as one made afresh; and the cache keeps serving while no
// phrase changes (it is not dropped on every view).
func TestCachedTabNeverShowsAStaleDate(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0, func(s *handlers.Server) { s.Service.InviteTTL = 7 * 24 * time.Hour })
	clock.Advance(50 * time.Minute)
	h.invite(h.owner, "later@example.com")
	clock.Advance(23 * time.Hour)
	h.invite(h.collaborator, "latest@example.com")
	owner := h.signedIn(h.owner)
	view := func() (string, int) {
		ctx, counter := store.CountStatements(context.Background())
		rec := owner.inProcess(ctx, h.collaboratorsPath(), nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET the tab: %d", rec.Code)
		}
		return rowsText(t, decompressed(t, rec)), counter.Count()
	}

	// Exactly at the change: "just now" until a minute has passed, not a nanosecond more.
	clock.Advance(30 * time.Second)
	view()
	clock.Advance(30*time.Second - time.Nanosecond)
	if got, n := view(); n != cachedViewStatements || !strings.Contains(got, "invited by carl · just now") {
		t.Errorf("a nanosecond before the minute: %d statements, %q", n, got)
	}
	clock.Advance(time.Nanosecond)
	if got, n := view(); n != freshViewStatements || !strings.Contains(got, "invited by carl · 1 minute ago") {
		t.Errorf("at the minute: %d statements, %q", n, got)
	}

	rng := rand.New(rand.NewPCG(12, 2026))
	hits, views := 0, 0
	for end := clock.Now().Add(9 * 24 * time.Hour); clock.Now().Before(end); {
		clock.Advance(time.Duration(rng.Int64N(int64(3 * time.Hour))))
		for range 2 {
			cached, n := view()
			views++
			if n == cachedViewStatements {
				hits++
			}
			h.server.DropCachedTabs()
			if fresh, _ := view(); cached != fresh {
				t.Fatalf("at %s the cache served\n%s\nwhere a fresh tab reads\n%s", clock.Now(), cached, fresh)
			}
			clock.Advance(time.Duration(rng.Int64N(int64(time.Minute))))
		}
	}
	t.Logf("%d of %d views served from the cache", hits, views)
	if hits == 0 {
		t.Error("no view came from the cache")
	}
}
