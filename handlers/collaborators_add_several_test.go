package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// refusedAddresses reads the Add form's list of refused addresses: address → reason.
func refusedAddresses(r *response) map[string]string {
	out := map[string]string{}
	r.doc.Find("#email-error [data-testid=refused] li").Each(func(_ int, li *goquery.Selection) {
		address := li.AttrOr("data-address", "")
		out[address] = strings.TrimPrefix(textOf(li), address+": ")
	})
	return out
}

func TestInviteSeveralInvitesEachAndKeepsOnlyTheRefusedInTheField(t *testing.T) {
	h := newHarness(t)
	before := len(h.rows())
	a := h.signedIn(h.owner)
	// One already invited (the seed's pia), one invalid, one repeated in the list.
	typed := "ann@example.com, PIA@example.com\nnot-an-address ann@example.com\r\nbob@example.com"
	r := a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {typed}}).expectStatus(http.StatusOK)

	if got, want := r.flash(), "ann@example.com and bob@example.com have been invited to collaborate to "+dbName; got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	r.expectFieldError("Email", "email", "2 of 4 addresses were not invited:"+
		"PIA@example.com: pia@example.com has already been invited to "+dbName+
		"not-an-address: Enter a valid e-mail address, like name@example.com")
	want := map[string]string{
		"PIA@example.com": "pia@example.com has already been invited to " + dbName,
		"not-an-address":  "Enter a valid e-mail address, like name@example.com",
	}
	if got := refusedAddresses(r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refused %v, want %v", got, want)
	}
	r.expectField("Email", "PIA@example.com\nnot-an-address")
	if _, open := r.doc.Find("[data-testid=add-collaborator]").Attr("open"); !open {
		t.Error("the Add form is closed: its refusals are hidden")
	}
	if !strings.HasPrefix(r.text("title"), "Error: ") {
		t.Errorf("title %q does not say there is an error", r.text("title"))
	}
	if got := len(h.rows()); got != before+2 {
		t.Errorf("%d rows stored, want %d", got, before+2)
	}
	for _, email := range []string{"ann@example.com", "bob@example.com"} {
		if m, ok := h.row(email); !ok || m.Status != "pending" {
			t.Errorf("%s: row %+v (live: %v)", email, m, ok)
		}
	}
	if emails := h.takeEmails(); len(emails) != 2 || emails[0].To != "ann@example.com" || emails[1].To != "bob@example.com" {
		t.Errorf("e-mails queued: %+v", emails)
	}
}

func TestInviteSeveralAllInvitedRedirectsWithOneFlash(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"ann@example.com bob@example.com,cy@example.com"}}).
		expectRedirect(h.collaboratorsPath())
	want := "ann@example.com, bob@example.com and cy@example.com have been invited to collaborate to " + dbName
	if got := a.get(h.collaboratorsPath()).flash(); got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if emails := h.takeEmails(); len(emails) != 3 {
		t.Errorf("%d e-mails queued, want 3", len(emails))
	}
}

func TestInviteMoreThanTwentyAddressesInvitesNobody(t *testing.T) {
	h := newHarness(t)
	before := len(h.rows())
	var typed []string
	for i := range 21 {
		typed = append(typed, fmt.Sprintf("user%d@example.com", i))
	}
	r := h.signedIn(h.owner).
		submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {strings.Join(typed, "\n")}}).
		expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError("Email", "email", "Enter at most 20 addresses at once (you entered 21)")
	r.expectField("Email", strings.Join(typed, "\n"))
	if got := len(h.rows()); got != before {
		t.Errorf("%d rows stored, want %d", got, before)
	}
	if emails := h.takeEmails(); len(emails) != 0 {
		t.Errorf("%d e-mails queued", len(emails))
	}
}

// A user who may not see the database learns nothing from a list of addresses either.
func TestInviteSeveralToAnUnseenDatabaseIsNotFound(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.invitee)
	for _, typed := range []string{"ann@example.com bob@example.com", strings.Repeat("x@example.com y", 21)} {
		a.postWithToken(h.collaboratorsPath(), url.Values{"email": {typed}}, a.token()).expectStatus(http.StatusNotFound)
	}
}

func TestInviteSeveralCountsEachAddressAgainstTheLimit(t *testing.T) {
	// The seed's two invitations were the owner's.
	h, _ := newLifecycleHarness(t, 0)
	h.svc.InviteLimitPerInviter = 4
	const message = "You have reached your limit of 4 invitations in 24 hours; try again later"
	r := h.signedIn(h.owner).
		submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"a@example.com b@example.com c@example.com"}}).
		expectStatus(http.StatusOK)
	if got, want := refusedAddresses(r), map[string]string{"c@example.com": message}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refused %v, want %v", got, want)
	}
	if emails := h.takeEmails(); len(emails) != 2 {
		t.Errorf("%d e-mails queued, want 2", len(emails))
	}
}
