package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dbcollab/internal/teststore"
	"dbcollab/service"
)

// TestChangeEmailWaitsForTheLinkAndTellsBothAddresses: the new address gets a link, the
// old one a notice; nothing changes until the link's button is pressed (opening it
// changes nothing); then the account uses the new address, the old one is told, and the
// link is used up.
func TestChangeEmailWaitsForTheLinkAndTellsBothAddresses(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	h.takeEmails()
	page := a.get("/account").expectStatus(http.StatusOK)
	page.expectField("New e-mail address", "")
	page.expectButton("Send confirmation link")
	a.submit("/account", "/account/email", url.Values{"new_email": {"  Olivia.New@Example.com "}, "email_password": {password}}).
		expectRedirect("/account")
	if got := a.get("/account").flash(); got != "We sent a confirmation link to olivia.new@example.com; until it is followed, your address stays olivia@example.com." {
		t.Errorf("flash %q", got)
	}
	sent := h.takeEmails()
	if len(sent) != 2 || sent[0].To != "olivia.new@example.com" || sent[1].To != h.owner.Email ||
		!strings.Contains(sent[1].Text, "olivia.new@example.com") {
		t.Fatalf("e-mails %+v, want a link to the new address and a notice to the old", sent)
	}
	token := emailChangeLink.FindStringSubmatch(sent[0].Text)[1]
	if u, _ := h.svc.User(t.Context(), h.owner.ID); u.Email != h.owner.Email {
		t.Fatalf("the address changed before the link was followed: %s", u.Email)
	}

	a.get("/account/email/confirm/" + token).expectRedirect("/account/email/confirm")
	confirm := a.get("/account/email/confirm").expectStatus(http.StatusOK)
	if strings.Contains(confirm.body, token) {
		t.Error("the page shows the token")
	}
	if u, _ := h.svc.User(t.Context(), h.owner.ID); u.Email != h.owner.Email {
		t.Fatal("opening the link changed the address")
	}
	a.submit("/account/email/confirm", "/account/email/confirm", nil).expectRedirect("/account")
	if got := a.get("/account").flash(); got != "Your e-mail address is now olivia.new@example.com." {
		t.Errorf("flash %q", got)
	}
	if u, _ := h.svc.User(t.Context(), h.owner.ID); u.Email != "olivia.new@example.com" {
		t.Fatalf("address %s after confirming", u.Email)
	}
	told := h.takeEmails()
	if len(told) != 1 || told[0].To != h.owner.Email || !strings.Contains(told[0].Text, "now uses olivia.new@example.com") {
		t.Fatalf("e-mails after confirming %+v, want a notice to the old address", told)
	}
	again := h.anonymous()
	again.get("/account/email/confirm/" + token).expectRedirect("/account/email/confirm")
	if got := again.get("/account/email/confirm").expectStatus(http.StatusNotFound).text("[data-testid=email-change-state]"); got != service.ErrEmailChangeInvalid.Message {
		t.Errorf("a used link says %q", got)
	}
	h.anonymous().login("olivia.new@example.com", password).expectRedirect("/")
}

func TestChangeEmailRefusesWhatSignUpRefuses(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	db := teststore.SQL(t, h.dsn)
	h.takeEmails()
	before := snapshot(t, db)
	for typed, want := range map[string]string{
		"user@exаmple.com": "", // Cyrillic а: the look-alike check's own words
		"not an address":   "Enter a valid e-mail address, like name@example.com",
		h.owner.Email:      "This is already your e-mail address",
	} {
		r := a.submit("/account", "/account/email", url.Values{"new_email": {typed}, "email_password": {password}}).
			expectStatus(http.StatusUnprocessableEntity)
		if want == "" {
			_, err := service.NormalizeEmail(typed)
			want = err.Error()
		}
		r.expectFieldError("New e-mail address", "new_email", want)
		r.expectField("New e-mail address", typed)
	}
	r := a.submit("/account", "/account/email", url.Values{"new_email": {"fresh@example.com"}, "email_password": {"wrong-password"}}).
		expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError("Your password", "email_password", "This is not your current password")
	if after := snapshot(t, db); after != before {
		t.Errorf("refused changes wrote:\n%s", lineDiff(before, after))
	}
}

// TestChangeEmailToATakenAddressTellsOnlyItsMailbox: the page answers as for a free
// address, as a sign-up does; the taken address's mailbox is told plainly.
func TestChangeEmailToATakenAddressTellsOnlyItsMailbox(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	h.takeEmails()
	a.submit("/account", "/account/email", url.Values{"new_email": {h.collaborator.Email}, "email_password": {password}}).
		expectRedirect("/account")
	if got := a.get("/account").flash(); got != "We sent a confirmation link to carl@example.com; until it is followed, your address stays olivia@example.com." {
		t.Errorf("flash %q", got)
	}
	sent := h.takeEmails()
	if len(sent) != 2 || sent[0].To != h.collaborator.Email || emailChangeLink.MatchString(sent[0].Text) ||
		!strings.Contains(sent[0].Text, "another account already uses it") {
		t.Fatalf("e-mails %+v, want the taken address told it is taken, with no link", sent)
	}
	if n := countRows(t, teststore.SQL(t, h.dsn), `SELECT count(*) FROM email_changes`); n != 0 {
		t.Errorf("%d pending changes, want none", n)
	}
}

// TestInvitationToTheNewAddressCanBeAcceptedAfterTheChange: an invitation sent to an
// address is accepted by the account that moved to it.
func TestInvitationToTheNewAddressCanBeAcceptedAfterTheChange(t *testing.T) {
	h := newHarness(t)
	h.invite(h.owner, "sam.work@example.com")
	invitation := h.invitationToken("sam.work@example.com")
	a := h.signedIn(h.stranger)
	a.get("/invitations/" + invitation).expectRedirect("/invitation")
	a.postWithToken("/invitation", nil, a.token()).expectStatus(http.StatusUnprocessableEntity)

	token := h.emailChangeToken(h.stranger, "sam.work@example.com")
	a.get("/account/email/confirm/" + token).expectRedirect("/account/email/confirm")
	a.submit("/account/email/confirm", "/account/email/confirm", nil).expectRedirect("/account")
	a.get("/invitations/" + invitation).expectRedirect("/invitation")
	a.submit("/invitation", "/invitation", nil).expectRedirect("/databases/" + dbName)
	if m, ok := h.row("sam.work@example.com"); !ok || m.UserID != h.stranger.ID {
		t.Fatalf("row %+v, want sam's accepted row", m)
	}
}

func TestEmailChangeLinkExpiresAfterADay(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	token := h.emailChangeToken(h.owner, "olivia.new@example.com")
	clock.Advance(24 * time.Hour)
	a := h.anonymous()
	a.get("/account/email/confirm/" + token).expectRedirect("/account/email/confirm")
	a.get("/account/email/confirm").expectStatus(http.StatusNotFound)
	a.postWithToken("/account/email/confirm", nil, a.token()).expectStatus(http.StatusNotFound)
	if u, _ := h.svc.User(t.Context(), h.owner.ID); u.Email != h.owner.Email {
		t.Fatalf("an expired link changed the address to %s", u.Email)
	}
}
