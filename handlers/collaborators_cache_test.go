package handlers_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

// The Collaborators tab is served from a cache of finished pages (collaboratorsCache).
// These tests warm it, change the store in every way that shows on the tab, and check
// that the next view shows the change: the cache may only ever answer what a fresh
// render would.

// Statements of one view of the tab: the session with its user and the membership check
// (which reads the database's version), one query, when the page comes from the cache;
// also the rows and the Activity when it is made again.
const (
	cachedViewStatements = 1
	freshViewStatements  = 3
)

// inProcess serves a GET of path as a's browser sends it (its cookies, gzip), in
// process, with ctx; header adds to the request's headers.
func (a *actor) inProcess(ctx context.Context, path string, header http.Header) *httptest.ResponseRecorder {
	a.h.t.Helper()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	u, err := url.Parse(a.h.url)
	if err != nil {
		a.h.t.Fatal(err)
	}
	for _, c := range a.client.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	a.h.server.Routes().ServeHTTP(rec, req)
	return rec
}

// tabStatements is the number of statements a view of the tab by a runs.
func (a *actor) tabStatements() int {
	a.h.t.Helper()
	ctx, counter := store.CountStatements(context.Background())
	if rec := a.inProcess(ctx, a.h.collaboratorsPath(), nil); rec.Code != http.StatusOK {
		a.h.t.Fatalf("GET %s: %d", a.h.collaboratorsPath(), rec.Code)
	}
	return counter.Count()
}

// warm views the tab until it comes from the cache.
func (a *actor) warm() {
	a.h.t.Helper()
	a.tabStatements()
	if n := a.tabStatements(); n != cachedViewStatements {
		a.h.t.Fatalf("the second view of the tab ran %d statements, want %d: not from the cache", n, cachedViewStatements)
	}
}

func deliveryOf(page *response, email string) string {
	return textOf(rowOf(page, email).Find("[data-testid=delivery]"))
}

func statusOf(page *response, email string) string {
	return textOf(rowOf(page, email).Find("td").Eq(2))
}

func TestCachedCollaboratorsTabShowsEveryWrite(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	ctx := context.Background()
	owner := h.signedIn(h.owner)
	view := func() *response { return owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK) }

	owner.warm()
	newcomer := h.invite(h.owner, "newcomer@example.com")
	if rowOf(view(), newcomer.Email).Length() != 1 {
		t.Fatal("after an invitation: no row for the address invited")
	}

	owner.warm()
	if got := deliveryOf(view(), newcomer.Email); got != "Invitation e-mail queued" {
		t.Fatalf("before the e-mail is sent: %q", got)
	}
	owner.warm()
	h.takeEmails() // marks it sent
	if got := deliveryOf(view(), newcomer.Email); got != "Invitation e-mail sent" {
		t.Errorf("after the e-mail was sent: %q", got)
	}

	owner.warm()
	if _, _, err := h.svc.Resend(ctx, h.owner.ID, dbName, newcomer.ID); err != nil {
		t.Fatal(err)
	}
	if got := deliveryOf(view(), newcomer.Email); got != "Invitation e-mail queued" {
		t.Errorf("after a resend: %q", got)
	}

	owner.warm()
	e, err := h.store.NextDueEmail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.Tx(ctx, func(tx store.WriteTx) error {
		return tx.MarkEmailFailed(ctx, e.ID, "mailbox full", time.Now().Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if got := deliveryOf(view(), newcomer.Email); got != "Invitation e-mail failing: mailbox full" {
		t.Errorf("after a failed delivery: %q", got)
	}

	owner.warm()
	if _, err := h.svc.AcceptInvitation(ctx, h.invitee.ID, h.inviteeToken); err != nil {
		t.Fatal(err)
	}
	if got := statusOf(view(), h.invitee.Email); got != "accepted" {
		t.Errorf("after the invitee accepted, their status: %q", got)
	}

}

// TestCachedTabKeptAfterWritesElsewhere: a write that the tab does not show, such as an
// API token made and used, an e-mail sent or another database's invitation, leaves it cached.
func TestCachedTabKeptAfterWritesElsewhere(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	owner := h.signedIn(h.owner)
	other := servicetest.NewOtherDatabase(t, h.svc, h.stranger.ID, "other-db", "someone@example.com")
	h.takeEmails()
	writes := []struct {
		name  string
		write func() error
	}{
		{"API token made and used", func() error {
			token, _, err := h.svc.CreateAPIToken(ctx, h.owner.ID, "cli")
			if err == nil {
				_, err = h.svc.UserByAPIToken(ctx, token)
			}
			return err
		}},
		{"invitation to another database, its e-mail sent", func() error {
			_, _, err := h.svc.Invite(ctx, h.stranger.ID, other.Name, "elsewhere@example.com")
			h.takeEmails()
			return err
		}},
		{"account made", func() error {
			_, err := h.svc.Signup(ctx, service.SignupInput{Email: "new@example.com", Username: "newcomer", Password: "long enough password"})
			return err
		}},
	}
	for _, w := range writes {
		owner.warm()
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if n := owner.tabStatements(); n != cachedViewStatements {
			t.Errorf("after %s, the tab ran %d statements, want %d: the cache was emptied", w.name, n, cachedViewStatements)
		}
	}
}

// TestCachedTabRefusedToRevokedCollaboratorEvenIfCurrent: the membership check runs on every
// view, so even a cached tab that wrongly looks current is not shown to someone revoked.
func TestCachedTabRefusedToRevokedCollaboratorEvenIfCurrent(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	carl := h.signedIn(h.collaborator)
	carl.warm()
	if _, err := h.svc.Revoke(ctx, h.owner.ID, dbName, h.mustRow(h.collaborator.Email).ID); err != nil {
		t.Fatal(err)
	}
	db, err := h.store.DatabaseForMember(ctx, dbName, h.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.server.PretendCachedTabsCurrent(db.Version)
	ctx, counter := store.CountStatements(ctx)
	if rec := carl.inProcess(ctx, h.collaboratorsPath(), nil); rec.Code != http.StatusNotFound {
		t.Fatalf("the revoked collaborator, their tab cached and looking current: %d, want 404", rec.Code)
	}
	if n := counter.Count(); n != cachedViewStatements {
		t.Errorf("the refused view ran %d statements, want %d (the user, the membership check)", n, cachedViewStatements)
	}
}

func TestRevokedCollaboratorGetsNotFoundDespiteWarmCache(t *testing.T) {
	h := newHarness(t)
	carl := h.signedIn(h.collaborator)
	carl.warm()
	if _, err := h.svc.Revoke(context.Background(), h.owner.ID, dbName, h.mustRow(h.collaborator.Email).ID); err != nil {
		t.Fatal(err)
	}
	carl.get(h.collaboratorsPath()).expectStatus(http.StatusNotFound)
}

func TestCollaboratorWhoLeftGetsNotFoundDespiteWarmCache(t *testing.T) {
	h := newHarness(t)
	carl := h.signedIn(h.collaborator)
	carl.warm()
	if _, err := h.svc.Revoke(context.Background(), h.collaborator.ID, dbName, h.mustRow(h.collaborator.Email).ID); err != nil {
		t.Fatal(err)
	}
	carl.get(h.collaboratorsPath()).expectStatus(http.StatusNotFound)
	if rowOf(h.signedIn(h.owner).get(h.collaboratorsPath()).expectStatus(http.StatusOK), h.collaborator.Email).Length() != 0 {
		t.Error("the owner still sees the collaborator who left")
	}
}

func TestStrangerNeverGetsSomeoneElsesCachedTab(t *testing.T) {
	h := newHarness(t)
	// Browsers that send Sec-Fetch-Site get no CSRF token in the page: nothing in the
	// request tells the owner's view from the stranger's but the session.
	browser := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	owner := h.signedIn(h.owner)
	for range 2 {
		if rec := owner.inProcess(context.Background(), h.collaboratorsPath(), browser); rec.Code != http.StatusOK {
			t.Fatalf("the owner: %d", rec.Code)
		}
	}
	sam := h.signedIn(h.stranger)
	for range 2 {
		if rec := sam.inProcess(context.Background(), h.collaboratorsPath(), browser); rec.Code != http.StatusNotFound {
			t.Fatalf("a stranger, the tab warm for the owner: %d, want 404", rec.Code)
		}
	}
}

func TestCachedGzippedTabIsNotSentToClientsWithoutGzip(t *testing.T) {
	h := newHarness(t)
	owner := h.signedIn(h.owner)
	owner.warm() // gzipped
	rec := owner.inProcess(context.Background(), h.collaboratorsPath(), http.Header{"Accept-Encoding": {"identity"}})
	if got := rec.Header().Get("Content-Encoding"); got != "" || !strings.HasPrefix(rec.Body.String(), "<!doctype html>") {
		t.Errorf("to a client without gzip: Content-Encoding %q, body starting %q", got, rec.Body.String()[:min(20, rec.Body.Len())])
	}
}

func TestPendingRowTurnsExpiredAtItsExpiryWithWarmCache(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	owner := h.signedIn(h.owner)
	clock.Advance(lifecycleTTL - time.Microsecond)
	owner.warm()
	if got := statusOf(owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK), h.invitee.Email); got != "pending" {
		t.Fatalf("just before its expiry: %q", got)
	}
	clock.Advance(time.Microsecond)
	if got := statusOf(owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK), h.invitee.Email); got != "expired" {
		t.Errorf("at its expiry, with the tab cached before: %q, want expired", got)
	}
}

func TestFlashIsShownOnceNotCached(t *testing.T) {
	h := newHarness(t)
	owner := h.signedIn(h.owner)
	owner.warm()
	owner.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"flash@example.com"}}).
		expectRedirect(h.collaboratorsPath())
	if got := owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK).flash(); got == "" {
		t.Fatal("no flash after an invitation")
	}
	if got := owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK).flash(); got != "" {
		t.Errorf("the flash %q is shown again", got)
	}
}

func TestCachedTabKeepsTheActivityPage(t *testing.T) {
	h := newHarness(t)
	for i := range 30 {
		h.invite(h.owner, "reader"+itoa(int64(i))+"@example.com")
	}
	owner := h.signedIn(h.owner)
	owner.warm()
	first := events(owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK))
	second := events(owner.get(h.collaboratorsPath() + "?page=2").expectStatus(http.StatusOK))
	again := events(owner.get(h.collaboratorsPath() + "?page=2").expectStatus(http.StatusOK))
	if len(second) == 0 || slices.Equal(first, second) {
		t.Fatalf("page 2 of Activity shows %q, page 1 %q", second, first)
	}
	if !slices.Equal(second, again) {
		t.Errorf("page 2 of Activity viewed again shows %q, first %q", again, second)
	}
}

// cookieExpiry is the part of a Set-Cookie that depends on the second it is made.
var cookieExpiry = regexp.MustCompile(`; Expires=[^;]*`)

func TestCachedTabIsTheFreshTabByteForByte(t *testing.T) {
	h := newHarness(t)
	owner := h.signedIn(h.owner)
	browsers := map[string]http.Header{
		"token path, gzip":          {"Accept-Encoding": {"gzip"}},
		"token path, no gzip":       {"Accept-Encoding": {"identity"}},
		"Sec-Fetch-Site, gzip":      {"Accept-Encoding": {"gzip"}, "Sec-Fetch-Site": {"same-origin"}},
		"Sec-Fetch-Site, no gzip":   {"Accept-Encoding": {"identity"}, "Sec-Fetch-Site": {"same-origin"}},
		"no Accept-Encoding header": {"Accept-Encoding": nil},
	}
	for name, header := range browsers {
		t.Run(name, func(t *testing.T) {
			view := func() (*httptest.ResponseRecorder, int) {
				ctx, counter := store.CountStatements(context.Background())
				rec := owner.inProcess(ctx, h.collaboratorsPath(), header)
				return rec, counter.Count()
			}
			h.server.DropCachedTabs() // so that the first view is made afresh
			fresh, freshN := view()
			cached, cachedN := view()
			if freshN != freshViewStatements || cachedN != cachedViewStatements {
				t.Fatalf("statements: %d then %d, want %d (made) then %d (cached)", freshN, cachedN, freshViewStatements, cachedViewStatements)
			}
			if fresh.Code != http.StatusOK || cached.Code != fresh.Code {
				t.Fatalf("status: %d made, %d cached", fresh.Code, cached.Code)
			}
			normalised := func(h http.Header) http.Header {
				h = h.Clone()
				h.Del("Date")
				for i, c := range h["Set-Cookie"] {
					h["Set-Cookie"][i] = cookieExpiry.ReplaceAllString(c, "")
				}
				return h
			}
			if got, want := normalised(cached.Header()), normalised(fresh.Header()); !maps.EqualFunc(got, want, slices.Equal) {
				t.Errorf("headers of the cached tab:\n%v\nof the tab made afresh:\n%v", got, want)
			}
			if cached.Body.String() != fresh.Body.String() {
				t.Errorf("the cached tab's body (%d bytes) differs from the fresh one's (%d bytes)", cached.Body.Len(), fresh.Body.Len())
			}
		})
	}
}
