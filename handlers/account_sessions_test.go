package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"dbcollab/internal/teststore"

	"github.com/PuerkitoBio/goquery"
)

// copyOf is another browser holding a copy of a's cookies, as a thief would.
func (a *actor) copyOf() *actor {
	c := a.h.anonymous()
	u := mustParse(a.h.t, a.h.url)
	c.client.Jar.SetCookies(u, a.client.Jar.Cookies(u))
	return c
}

// expectRefused checks that a's session no longer signs anyone in, on its very next request.
func (a *actor) expectRefused(what string) {
	a.h.t.Helper()
	if r := a.get("/account"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		a.h.t.Errorf("%s: GET /account %d to %q, want 303 to /login", what, r.status, r.header.Get("Location"))
	}
}

func (a *actor) expectSignedIn(what string) {
	a.h.t.Helper()
	if r := a.get("/account"); r.status != http.StatusOK {
		a.h.t.Errorf("%s: GET /account %d, want 200", what, r.status)
	}
}

func TestAccountListsSignedInDevices(t *testing.T) {
	h := newHarness(t)
	other := h.signedIn(h.owner)
	a := h.signedIn(h.owner)
	page := a.get("/account").expectStatus(http.StatusOK)
	if got := page.text("#sessions-title"); got != "Signed-in devices" {
		t.Fatalf("section %q", got)
	}
	rows := page.doc.Find("[data-testid=session-row]")
	if rows.Length() != 2 {
		t.Fatalf("%d devices listed, want 2", rows.Length())
	}
	if got := textOf(rows.Filter("[data-current]").Find("td").First()); got != "Go HTTP client (this device)" {
		t.Errorf("this device's row reads %q", got)
	}
	if got := textOf(rows.First().Find("td").Eq(1)); got != "127.0.0.1" {
		t.Errorf("client address %q", got)
	}
	if n := rows.Find("button").FilterFunction(func(_ int, b *goquery.Selection) bool { return textOf(b) == "Log out" }).Length(); n != 2 {
		t.Errorf("%d Log out buttons in the rows, want 2", n)
	}
	page.expectButton("Log out everywhere else")
	other.expectSignedIn("the other device")
}

func TestCopiedCookieIsRefusedAfterLogOut(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	thief := a.copyOf()
	thief.expectSignedIn("the copy before logging out")
	a.submit("/", "/logout", nil).expectRedirect("/login")
	thief.expectRefused("the copy after Log out")
}

func TestCopiedCookieIsRefusedAfterLogOutEverywhereElse(t *testing.T) {
	h := newHarness(t)
	other := h.signedIn(h.owner)
	thief := other.copyOf()
	a := h.signedIn(h.owner)
	colleague := h.signedIn(h.collaborator)
	a.submit("/account", "/account/sessions/logout-others", nil).expectRedirect("/account")
	if got := a.get("/account").flash(); got != "Every other device has been logged out (1)." {
		t.Errorf("flash %q", got)
	}
	thief.expectRefused("the copy after Log out everywhere else")
	other.expectRefused("the other device")
	a.expectSignedIn("the device that logged the others out")
	colleague.expectSignedIn("another account's device")
}

func TestLogOutOneDeviceFromTheAccountPage(t *testing.T) {
	h := newHarness(t)
	other := h.signedIn(h.owner)
	a := h.signedIn(h.owner)
	page := a.get("/account").expectStatus(http.StatusOK)
	action, _ := page.doc.Find("[data-testid=session-row]:not([data-current]) form").Attr("action")
	a.postWithToken(action, nil, csrfToken(t, page.doc.Selection)).expectRedirect("/account")
	other.expectRefused("the device logged out from the account page")
	a.expectSignedIn("the device that logged it out")
	// Someone else's session is not found, and stays.
	theirs := h.signedIn(h.collaborator)
	theirPage := theirs.get("/account").expectStatus(http.StatusOK)
	theirAction, _ := theirPage.doc.Find("[data-testid=session-row] form").Attr("action")
	a.postWithToken(theirAction, nil, a.token()).expectStatus(http.StatusNotFound)
	theirs.expectSignedIn("another account's device")
}

func TestChangePasswordNeedsTheCurrentOneAndEndsTheOtherSessions(t *testing.T) {
	h := newHarness(t)
	other := h.signedIn(h.owner)
	thief := other.copyOf()
	a := h.signedIn(h.owner)
	db := teststore.SQL(t, h.dsn)
	before := snapshot(t, db, "users", "sessions")

	wrong := a.submit("/account", "/account/password", url.Values{"current_password": {"not-it-at-all"}, "new_password": {"short"}}).
		expectStatus(http.StatusUnprocessableEntity)
	wrong.expectFieldError("Current password", "current_password", "This is not your current password")
	wrong.expectFieldError("New password", "new_password", "A password has at least 8 characters")
	if after := snapshot(t, db, "users", "sessions"); after != before {
		t.Errorf("a refused change wrote:\n%s", lineDiff(before, after))
	}
	thief.expectSignedIn("the copy before the change")

	a.submit("/account", "/account/password", url.Values{"current_password": {password}, "new_password": {"a-brand-new-password"}}).
		expectRedirect("/account")
	if got := a.get("/account").flash(); got != "Your password has been changed; every other device was logged out (1)." {
		t.Errorf("flash %q", got)
	}
	thief.expectRefused("the copy after the password change")
	other.expectRefused("the other device after the password change")
	a.expectSignedIn("the device that changed it")
	h.anonymous().login(h.owner.Email, password).expectStatus(http.StatusUnauthorized)
	h.anonymous().login(h.owner.Email, "a-brand-new-password").expectRedirect("/")
}

// TestSessionCookieIsRenewedWhenItsRowIsSeen: "last seen" is written at most every 5
// minutes, and then the cookie is made again, so that it lasts as long as an idle row.
func TestSessionCookieIsRenewedWhenItsRowIsSeen(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	a := h.signedIn(h.owner)
	a.get("/account").expectStatus(http.StatusOK)
	clock.Advance(4 * time.Minute)
	if r := a.get("/account").expectStatus(http.StatusOK); len(r.cookies) != 0 {
		t.Errorf("4 minutes on, the cookie was made again: %v", r.cookies)
	}
	clock.Advance(time.Minute)
	r := a.get("/account").expectStatus(http.StatusOK)
	if len(r.cookies) != 1 || r.cookies[0].Name != "dbcollab_session" || r.cookies[0].MaxAge != 30*24*60*60 {
		t.Errorf("5 minutes on, cookies %v; want the session cookie made again for 30 days", r.cookies)
	}
	a.expectSignedIn("after the renewal")
}
