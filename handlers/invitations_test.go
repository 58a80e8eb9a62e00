package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dbcollab/links"
)

// openLink follows an invitation link as a mail client would: GET the link, check it
// moves on to /invitation without the token, and show that page.
func (a *actor) openLink(token string, status int) *response {
	a.h.t.Helper()
	r := a.get("/invitations/" + token).expectRedirect("/invitation")
	if strings.Contains(r.header.Get("Location"), token) || strings.Contains(r.body, token) {
		a.h.t.Error("the redirect from the invitation link carries its token")
	}
	page := a.get("/invitation").expectStatus(status)
	if strings.Contains(page.body, token) {
		a.h.t.Error("the invitation page contains the token")
	}
	return page
}

func TestInvitationPageNamesDatabaseAndInviter(t *testing.T) {
	h := newHarness(t)
	page := h.signedIn(h.invitee).openLink(h.inviteeToken, http.StatusOK)
	if got := page.text("h1"); got != "Join "+dbName {
		t.Errorf("heading %q", got)
	}
	text := page.text("[data-testid=invitation]")
	for _, want := range []string{"olivia invites you to collaborate", dbName} {
		if !strings.Contains(text, want) {
			t.Errorf("the invitation page does not say %q:\n%s", want, text)
		}
	}
	accept := page.expectButton("Accept")
	form := accept.Closest("form")
	if method, _ := form.Attr("method"); method != "post" {
		t.Errorf("Accept is in a form with method %q", method)
	}
	if action, _ := form.Attr("action"); action != "/invitation" {
		t.Errorf("Accept posts to %q", action)
	}
}

func TestOpeningTheLinkNeverAccepts(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.invitee)
	for range 2 {
		a.openLink(h.inviteeToken, http.StatusOK)
		a.get("/invitations/" + h.inviteeToken)
	}
	if m, _ := h.row(h.invitee.Email); m.Status != "pending" {
		t.Fatalf("opening the link made the row %q", m.Status)
	}
	a.get(links.Database(dbName)).expectStatus(http.StatusNotFound)
}

func TestAcceptMakesTheInviteeACollaborator(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.invitee)
	a.openLink(h.inviteeToken, http.StatusOK)
	a.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))

	overview := a.get(links.Database(dbName)).expectStatus(http.StatusOK)
	if got := overview.flash(); got != "You now collaborate on "+dbName {
		t.Errorf("flash %q", got)
	}
	if href, _ := a.get("/").link(dbName).Attr("href"); href != links.Database(dbName) {
		t.Errorf("the database is not in the list after accepting")
	}
	row := collaboratorRows(a.get(h.collaboratorsPath()).expectStatus(http.StatusOK))
	if want := (tableRow{"pia@example.com", "pia", "accepted", "collaborator", false}); row[2] != want {
		t.Errorf("the invitee's row %+v, want %+v", row[2], want)
	}

	// The link is used up.
	used := h.anonymous().openLink(h.inviteeToken, http.StatusGone)
	if got := used.text("[data-testid=invitation-state]"); got != "This invitation has already been accepted; it cannot be used again." {
		t.Errorf("the used link says %q", got)
	}
	if used.button("Accept").Length() != 0 || used.doc.Find("[data-testid=invitation] a[href='/login']").Length() != 0 {
		t.Error("a used invitation still offers to accept it")
	}
}

func TestAnonymousVisitorLogsInAndComesBack(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	page := a.openLink(h.inviteeToken, http.StatusOK)
	for label, href := range map[string]string{"Log in": "/login", "Sign up": "/signup?from=invitation"} {
		if got, _ := page.link(label).Filter("[data-testid=invitation] a").Attr("href"); got != href {
			t.Errorf("the invitation's %s links to %q, want %q", label, got, href)
		}
	}
	if page.button("Accept").Length() != 0 {
		t.Error("an anonymous visitor is offered Accept")
	}
	if strings.Contains(page.body, h.invitee.Email) {
		t.Error("the anonymous page shows the invited address in full")
	}
	if !strings.Contains(page.text("main"), "p…@example.com") {
		t.Errorf("the anonymous page does not say which address to use:\n%s", page.text("main"))
	}
	// Accepting needs an account.
	a.postWithToken("/invitation", nil, a.token()).expectRedirect("/login")

	a.login(h.invitee.Email, password).expectRedirect("/invitation")
	a.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))
	a.get(links.Database(dbName)).expectStatus(http.StatusOK)
}

func TestAnonymousVisitorSignsUpAndComesBack(t *testing.T) {
	h := newHarness(t)
	h.invite(h.owner, "newcomer@example.com")
	token := h.invitationToken("newcomer@example.com")

	a := h.anonymous()
	a.openLink(token, http.StatusOK)
	a.submit("/signup", "/signup", url.Values{
		"email": {"Newcomer@example.com"}, "username": {"newcomer"}, "password": {password},
	}).expectRedirect("/invitation")
	a.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))
	if m, _ := h.row("newcomer@example.com"); m.Status != "accepted" || m.Username != "newcomer" {
		t.Errorf("row after signing up and accepting: %+v", m)
	}
}

func TestInvitationForAnotherAccountCannotBeAccepted(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.stranger)
	page := a.openLink(h.inviteeToken, http.StatusOK)
	want := "This invitation was sent to p…@example.com; you are signed in as s…@example.com."
	if got := page.text("[data-testid=wrong-account]"); got != want {
		t.Errorf("mismatch message %q, want %q", got, want)
	}
	if strings.Contains(page.body, h.invitee.Email) {
		t.Error("the page shows the invited address in full to another account")
	}
	if page.button("Accept").Length() != 0 {
		t.Error("another account is offered Accept")
	}
	page.expectButton("Log out and switch account")

	refused := a.postWithToken("/invitation", nil, a.token())
	if refused.status != http.StatusUnprocessableEntity {
		t.Errorf("accepting with another account: status %d, want 422", refused.status)
	}
	if m, _ := h.row(h.invitee.Email); m.Status != "pending" {
		t.Errorf("the invitation became %q", m.Status)
	}
	a.get(links.Database(dbName)).expectStatus(http.StatusNotFound)

	// Switching account keeps the invitation at hand.
	a.submit("/invitation", "/logout", nil).expectRedirect("/login")
	a.login(h.invitee.Email, password).expectRedirect("/invitation")
	a.get("/invitation").expectStatus(http.StatusOK).expectButton("Accept")
}

func TestUnknownInvitationLinksSaySo(t *testing.T) {
	h := newHarness(t)
	const message = "This invitation link is not valid. Check that you copied the whole link from the e-mail."
	wellFormed := strings.Repeat("A", 43)
	for _, token := range []string{"nonsense", wellFormed, h.inviteeToken[:42], strings.Repeat("A", 5000)} {
		page := h.anonymous().openLink(token, http.StatusNotFound)
		if got := page.text("[data-testid=invitation-state]"); got != message {
			t.Errorf("%q: the page says %q", token, got)
		}
		if page.button("Accept").Length() != 0 {
			t.Errorf("%q: an unknown link offers Accept", token)
		}
	}
	// No link opened at all.
	if got := h.signedIn(h.invitee).get("/invitation").expectStatus(http.StatusNotFound).text("[data-testid=invitation-state]"); got != message {
		t.Errorf("/invitation without a link says %q", got)
	}
}
