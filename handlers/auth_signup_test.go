package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dbcollab/links"
	"dbcollab/service"
)

// checkMailbox checks the answer every sign-up that must confirm its address gets.
func checkMailbox(t *testing.T, r *response, email string) {
	t.Helper()
	r.expectStatus(http.StatusOK)
	if got := r.text("[data-testid=check-mailbox] h1"); got != "Check your mailbox" {
		t.Errorf("the answer's heading is %q", got)
	}
	if got, want := textOf(r.doc.Find("[data-testid=check-mailbox] p").First()), "We have sent a message to "+email+
		". Follow its link within 24 hours to confirm your address, then log in."; got != want {
		t.Errorf("the answer says %q, want %q", got, want)
	}
}

func TestSignupConfirmsTheAddressBeforeLogIn(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	checkMailbox(t, a.submit("/signup", "/signup", url.Values{
		"email": {"New@Example.com"}, "username": {"newbie"}, "password": {password},
	}), "New@Example.com")
	a.get("/").expectRedirect("/login")

	refused := h.anonymous().login("new@example.com", password).expectStatus(http.StatusUnauthorized)
	if got, want := refused.text("[data-testid=form-error]"), "Your e-mail address is not confirmed yet: follow the link we e-mailed to new@example.com, then log in."; got != want {
		t.Errorf("log-in before confirming says %q, want %q", got, want)
	}
	token := h.confirmationToken("new@example.com")

	// Opening the link changes nothing: the button confirms.
	b := h.anonymous()
	b.get("/signup/confirm/" + token).expectRedirect("/signup/confirm")
	page := b.get("/signup/confirm").expectStatus(http.StatusOK)
	if got := page.text("[data-testid=confirm-signup] p"); !strings.Contains(got, "new@example.com is yours, for the account newbie") {
		t.Errorf("the confirmation page says %q", got)
	}
	if strings.Contains(page.body, token) {
		t.Error("the confirmation page carries the link's token")
	}
	if u, _ := h.store.UserByEmail(context.Background(), "new@example.com"); !u.VerifiedAt.IsZero() {
		t.Fatal("opening the link confirmed the address")
	}
	b.submit("/signup/confirm", "/signup/confirm", nil).expectRedirect("/login")
	if got := b.get("/login").flash(); got != "Your e-mail address is confirmed; log in." {
		t.Errorf("flash %q", got)
	}

	// The link is used: it cannot confirm again.
	b.get("/signup/confirm/" + token).expectRedirect("/signup/confirm")
	if got := b.get("/signup/confirm").expectStatus(http.StatusNotFound).text("[data-testid=confirm-state]"); got != service.ErrConfirmationInvalid.Message {
		t.Errorf("a used link says %q", got)
	}

	a.login("new@example.com", password).expectRedirect("/")
	home := a.get("/").expectStatus(http.StatusOK)
	if got := home.text("[data-testid=signed-in-as]"); got != "newbie" {
		t.Errorf("signed in as %q, want newbie", got)
	}
	if home.doc.Find("[data-testid=no-databases]").Length() != 1 {
		t.Error("a new account's home page does not say it has no database")
	}
}

func TestSignupAnswersAlikeWhetherTheAddressOrUsernameExists(t *testing.T) {
	h := newHarness(t)
	taken := h.anonymous().submit("/signup", "/signup", url.Values{
		"email": {"olivia@example.com"}, "username": {"OLIVIA"}, "password": {"another-password"},
	})
	checkMailbox(t, taken, "olivia@example.com")
	fresh := h.anonymous().submit("/signup", "/signup", url.Values{
		"email": {"oscar@example.com"}, "username": {"olivia"}, "password": {password},
	})
	checkMailbox(t, fresh, "oscar@example.com")
	if strings.ReplaceAll(taken.body, "olivia@example.com", "X") != strings.ReplaceAll(fresh.body, "oscar@example.com", "X") {
		t.Error("the two answers differ beyond the address typed")
	}

	// What differs only reaches each address's mailbox.
	emails := h.takeEmails()
	if len(emails) != 2 || emails[0].To != "olivia@example.com" || emails[0].Subject != "You already have a dbcollab account" ||
		emails[1].To != "oscar@example.com" || !strings.Contains(emails[1].Text, "signed up to dbcollab as olivia-2 with this address") {
		t.Fatalf("e-mails %+v; want olivia told she has an account, oscar his link for olivia-2", emails)
	}
	h.signedIn(h.owner) // olivia's account and password are as they were
	oscar, err := h.store.UserByEmail(context.Background(), "oscar@example.com")
	if err != nil || oscar.Username != "olivia-2" || !oscar.VerifiedAt.IsZero() {
		t.Errorf("oscar's account: %+v, %v; want olivia-2, unconfirmed", oscar, err)
	}
}

func TestSignupFromAnInvitationProvesTheAddressAndReplacesASquatter(t *testing.T) {
	h := newHarness(t)
	h.invite(h.collaborator, "newcomer@example.com")
	token := h.invitationToken("newcomer@example.com")
	// Someone else signs up first with the invited address: the account stays unconfirmed.
	checkMailbox(t, h.anonymous().submit("/signup", "/signup", url.Values{
		"email": {"newcomer@example.com"}, "username": {"squatter"}, "password": {"squatter-password"},
	}), "newcomer@example.com")
	h.takeEmails()

	real := h.anonymous()
	real.openLink(token, http.StatusOK)
	real.submit("/signup?from=invitation", "/signup", url.Values{"username": {"newcomer"}, "password": {password}, "from": {"invitation"}}).
		expectRedirect("/invitation")
	real.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))
	if emails := h.takeEmails(); len(emails) != 2 { // the inviter's and the owner's notices, no confirmation
		t.Errorf("%d e-mails, want the two acceptance notices", len(emails))
	}
	h.anonymous().login("newcomer@example.com", "squatter-password").expectStatus(http.StatusUnauthorized)
	h.anonymous().login("newcomer@example.com", password).expectRedirect("/")
}

func TestSignupIsThrottledPerClientAddress(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	// Every attempt counts; the 20th is the last without a wait, as for log-ins.
	for i := range service.AddressFreeFailures + 1 {
		checkMailbox(t, a.submit("/signup", "/signup", url.Values{
			"email": {"guest" + itoa(int64(i)) + "@example.com"}, "username": {"guest" + itoa(int64(i))}, "password": {password},
		}), "guest"+itoa(int64(i))+"@example.com")
	}
	r := a.submit("/signup", "/signup", url.Values{"email": {"late@example.com"}, "username": {"late"}, "password": {password}}).
		expectStatus(http.StatusTooManyRequests)
	if got := r.text("[data-testid=form-error]"); got != "Too many sign-up attempts; try again in 1 second" {
		t.Errorf("the refusal says %q", got)
	}
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q", got)
	}
	r.expectField("Email", "late@example.com")
	if _, err := h.store.UserByEmail(context.Background(), "late@example.com"); err == nil {
		t.Error("a throttled sign-up made an account")
	}
}

func TestSignupConfirmationLinkExpiresAndLogInSendsANewOne(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	token := h.requestSignup("nina")
	clock.Advance(service.ConfirmationTTL)
	b := h.anonymous()
	b.get("/signup/confirm/" + token).expectRedirect("/signup/confirm")
	b.get("/signup/confirm").expectStatus(http.StatusNotFound)
	if b.get("/signup/confirm").doc.Find(`form[action="/signup/confirm"]`).Length() != 0 {
		t.Error("an expired link offers to confirm")
	}

	refused := h.anonymous().login("nina@example.com", password).expectStatus(http.StatusUnauthorized)
	if got, want := refused.text("[data-testid=form-error]"), "Your e-mail address is not confirmed yet: we have e-mailed a new confirmation link to nina@example.com. Follow it, then log in."; got != want {
		t.Errorf("log-in says %q, want %q", got, want)
	}
	fresh := h.confirmationToken("nina@example.com")
	clock.Advance(ConfirmationAlmostExpired)
	b.get("/signup/confirm/" + fresh).expectRedirect("/signup/confirm")
	b.submit("/signup/confirm", "/signup/confirm", nil).expectRedirect("/login")
	h.anonymous().login("nina@example.com", password).expectRedirect("/")
}

// ConfirmationAlmostExpired is a moment before a link's expiry.
const ConfirmationAlmostExpired = service.ConfirmationTTL - time.Second
