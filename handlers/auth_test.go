package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dbcollab/store"
)

func TestSignupFormHasItsFields(t *testing.T) {
	h := newHarness(t)
	page := h.anonymous().get("/signup").expectStatus(http.StatusOK)
	page.expectField("Email", "")
	page.expectField("Username", "")
	if typ, _ := page.field("Password").Attr("type"); typ != "password" {
		t.Errorf("Password field has type %q, want password", typ)
	}
	page.expectButton("Sign up")
}

func TestSignupShowsEachErrorNextToItsFieldAndKeepsWhatWasTyped(t *testing.T) {
	h := newHarness(t)
	typedPassword := "short7!"
	r := h.anonymous().submit("/signup", "/signup", url.Values{
		"email": {"not-an-address"}, "username": {"-x"}, "password": {typedPassword},
	}).expectStatus(http.StatusUnprocessableEntity)

	r.expectFieldError("Email", "email", "Enter a valid e-mail address, like name@example.com")
	r.expectFieldError("Username", "username", "A username has 2 to 32 letters, digits, dashes or underscores, starting with a letter or digit")
	r.expectFieldError("Password", "password", "A password has at least 8 characters")
	r.expectField("Email", "not-an-address")
	r.expectField("Username", "-x")
	r.expectField("Password", "")
	if strings.Contains(r.body, typedPassword) {
		t.Error("the page shown again contains the typed password")
	}
}

func TestLoginFormHasItsFields(t *testing.T) {
	h := newHarness(t)
	page := h.anonymous().get("/login").expectStatus(http.StatusOK)
	page.expectField("Email", "")
	if typ, _ := page.field("Password").Attr("type"); typ != "password" {
		t.Errorf("Password field has type %q, want password", typ)
	}
	page.expectButton("Log in")
}

func TestLoginWithWrongPasswordKeepsTheAddressButNotThePassword(t *testing.T) {
	h := newHarness(t)
	typed := "wrong-password-42"
	for _, email := range []string{h.owner.Email, "nobody@example.com"} {
		r := h.anonymous().login(email, typed).expectStatus(http.StatusUnauthorized)
		// The same words whether the address or the password is wrong.
		if got := r.text("[data-testid=form-error]"); got != "Wrong e-mail or password" {
			t.Errorf("%s: error %q", email, got)
		}
		r.expectField("Email", email)
		r.expectField("Password", "")
		if strings.Contains(r.body, typed) {
			t.Errorf("%s: the page shown again contains the typed password", email)
		}
	}
}

func TestLoginShowsMissingFieldsNextToThem(t *testing.T) {
	h := newHarness(t)
	r := h.anonymous().login("", "").expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError("Email", "email", "Enter your e-mail address")
	r.expectFieldError("Password", "password", "Enter your password")

	r = h.anonymous().login("  "+h.owner.Email, "").expectStatus(http.StatusUnprocessableEntity)
	r.expectField("Email", "  "+h.owner.Email)
	r.expectFieldError("Password", "password", "Enter your password")
	if r.doc.Find("#email-error").Length() != 0 {
		t.Error("an e-mail was typed, yet the Email field shows an error")
	}
}

func TestLoginRenewsTheSessionAndReturnsToTheAskedPage(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	a.get("/databases/new").expectRedirect("/login")
	anonymousSession := a.cookie("dbcollab_session")
	if anonymousSession == "" {
		t.Fatal("no session cookie before logging in")
	}

	a.login(h.owner.Email, password).expectRedirect("/databases/new")
	if got := a.cookie("dbcollab_session"); got == anonymousSession || got == "" {
		t.Error("the session cookie was not renewed on login")
	}

	// The session from before the login, planted by someone else, stays anonymous.
	planted := h.anonymous()
	planted.client.Jar.SetCookies(mustParse(t, h.url), []*http.Cookie{{Name: "dbcollab_session", Value: anonymousSession}})
	planted.get("/").expectRedirect("/login")

	// Nothing of the anonymous session survives: logging in again (say, as someone
	// else) goes home, not to the page asked for before the first login.
	a.postWithToken("/login", url.Values{"email": {h.collaborator.Email}, "password": {password}}, a.token()).
		expectRedirect("/")
}

func TestLogoutIsAPost(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)

	if r := a.get("/logout"); r.status < 400 {
		t.Errorf("GET /logout answered %d; it must not be a route", r.status)
	}
	// Still signed in.
	home := a.get("/").expectStatus(http.StatusOK)
	home.expectButton("Log out")
	a.submit("/", "/logout", nil).expectRedirect("/login")
	a.get("/").expectRedirect("/login")
	a.get("/login").expectStatus(http.StatusOK)
}

func TestSignedInVisitorSkipsTheAuthForms(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	a.get("/login").expectRedirect("/")
	a.get("/signup").expectRedirect("/")
}

func TestHomeListsOwnedAndCollaboratingDatabasesAsLinks(t *testing.T) {
	h := newHarness(t)
	if _, err := h.svc.CreateDatabase(t.Context(), h.collaborator.ID, newDatabase("carls-db")); err != nil {
		t.Fatal(err)
	}
	home := h.signedIn(h.collaborator).get("/").expectStatus(http.StatusOK)
	if got := home.text("h1"); got != "Your databases" {
		t.Errorf("heading %q", got)
	}
	want := map[string]string{
		"carls-db": "/databases/carls-db",
		dbName:     "/databases/" + dbName,
	}
	links := home.doc.Find("[data-testid=databases] li a")
	if links.Length() != len(want) {
		t.Fatalf("%d databases listed, want %d:\n%s", links.Length(), len(want), home.text("[data-testid=databases]"))
	}
	for name, href := range want {
		link := home.link(name)
		if got, _ := link.Attr("href"); got != href {
			t.Errorf("%s links to %q, want %q", name, got, href)
		}
	}
	if got := home.text("[data-testid=databases] li:contains('" + dbName + "') .badge"); got != "collaborator · owned by olivia" {
		t.Errorf("%s is described as %q", dbName, got)
	}

	if got := home.text("[data-testid=databases] li:contains('carls-db') .badge"); got != "owner" {
		t.Errorf("carls-db is described as %q", got)
	}

	for name, u := range map[string]store.User{"stranger": h.stranger, "pending invitee": h.invitee} {
		page := h.signedIn(u).get("/").expectStatus(http.StatusOK)
		if page.doc.Find("[data-testid=databases] a").Length() != 0 || page.doc.Find("[data-testid=no-databases]").Length() != 1 {
			t.Errorf("%s sees databases:\n%s", name, page.text("main"))
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
