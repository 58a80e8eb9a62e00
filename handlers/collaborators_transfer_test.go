package handlers_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"dbcollab/links"
	"dbcollab/store"
)

// makeOwnerPath is the confirmation page (GET) and action (POST) making row m the owner.
func makeOwnerPath(m store.Collaborator) string { return links.MakeOwner(dbName, m.ID) }

func TestMakeOwnerIsInTheOwnersMenuOnAcceptedRowsOnly(t *testing.T) {
	h := newHarness(t)
	carl, _ := h.row(h.collaborator.Email)
	page := h.signedIn(h.owner).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got := menuItems(page, h.collaborator.Email); !slices.Equal(got, []string{"Revoke access", "Make owner"}) {
		t.Errorf("the owner's menu on carl's row: %q", got)
	}
	// One markup: the link of the <details> is the item the script opens the popup from.
	item := rowOf(page, h.collaborator.Email).Find("[data-menu] details a[data-transfer]")
	if h.fromTab(item.AttrOr("href", "")) != makeOwnerPath(carl) || textOf(item) != "Make owner" {
		t.Errorf("Make owner %q links to %q", textOf(item), item.AttrOr("href", ""))
	}
	if got := menuItems(page, h.invitee.Email); slices.Contains(got, "Make owner") {
		t.Errorf("a pending invitation offers Make owner: %q", got)
	}
	if page.doc.Find("dialog#transfer-dialog form [data-confirm]").Length() != 1 {
		t.Error("the owner's page has no popup to confirm a transfer in")
	}

	page = h.signedIn(h.collaborator).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if strings.Contains(textOf(page.doc.Find("main")), "Make owner") || page.doc.Find("#transfer-dialog").Length() != 0 {
		t.Error("a collaborator is offered Make owner")
	}
}

func TestMakeOwnerWithoutJavaScriptTransfersTheDatabase(t *testing.T) {
	h := newHarness(t)
	carl, _ := h.row(h.collaborator.Email)
	owner := h.signedIn(h.owner)
	confirm := owner.get(makeOwnerPath(carl)).expectStatus(http.StatusOK)
	want := "carl@example.com will become the owner of " + dbName + ". You will stay on as a collaborator, and only carl@example.com will be able to transfer it again."
	if got := confirm.text("[data-testid=transfer-question]"); got != want {
		t.Errorf("the confirmation asks %q", got)
	}
	button := confirm.button("Transfer ownership to carl@example.com")
	if button.Length() != 1 || button.Closest("form").AttrOr("action", "") != makeOwnerPath(carl) {
		t.Fatal("the confirmation page has no button \"Transfer ownership to carl@example.com\" posting to the transfer")
	}
	h.takeEmails()
	owner.submit(makeOwnerPath(carl), makeOwnerPath(carl), nil).expectRedirect(h.collaboratorsPath())

	page := owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got := page.flash(); got != "carl@example.com is now the owner of "+dbName {
		t.Errorf("flash %q", got)
	}
	if got := textOf(rowOf(page, h.collaborator.Email).Find("td").Eq(3)); got != "owner" {
		t.Errorf("carl's role is %q", got)
	}
	if got := textOf(rowOf(page, h.owner.Email).Find("td").Eq(3)); got != "collaborator" {
		t.Errorf("olivia's role is %q", got)
	}
	if _, live := h.row(h.invitee.Email); !live {
		t.Error("the pending invitation ended with the transfer")
	}
	if got := events(page); len(got) == 0 || got[0] != "olivia made carl@example.com the owner" {
		t.Errorf("Activity: %q", got)
	}
	var to []string
	for _, e := range h.takeEmails() {
		to = append(to, e.To)
	}
	if !slices.Equal(to, []string{h.collaborator.Email, h.owner.Email}) {
		t.Errorf("e-mails to %q; want carl, then olivia", to)
	}
	if slices.Contains(menuItems(page, h.collaborator.Email), "Make owner") {
		t.Error("the old owner is still offered Make owner")
	}
	page = h.signedIn(h.collaborator).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if !slices.Contains(menuItems(page, h.owner.Email), "Make owner") {
		t.Error("the new owner cannot hand it back")
	}
}

func TestMakeOwnerRefusalsGoBackToTheTabSayingWhy(t *testing.T) {
	h := newHarness(t)
	olivia, _ := h.row(h.owner.Email)
	pia, _ := h.row(h.invitee.Email)
	cases := []struct {
		name string
		a    *actor
		row  store.Collaborator
		want string
	}{
		{"a collaborator", h.signedIn(h.collaborator), olivia, "Only the owner can transfer the ownership of a database"},
		{"the owner, to a pending invitation", h.signedIn(h.owner), pia, "pia@example.com has not accepted the invitation to " + dbName + " yet: ownership can only go to a collaborator"},
		{"the owner, to herself", h.signedIn(h.owner), olivia, "olivia@example.com already owns " + dbName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.a.get(makeOwnerPath(c.row)).expectRedirect(h.collaboratorsPath())
			if got := c.a.get(h.collaboratorsPath()).flash(); got != c.want {
				t.Errorf("the confirmation page: flash %q, want %q", got, c.want)
			}
			c.a.postWithToken(makeOwnerPath(c.row), nil, c.a.token()).expectRedirect(h.collaboratorsPath())
			if got := c.a.get(h.collaboratorsPath()).flash(); got != c.want {
				t.Errorf("the transfer: flash %q, want %q", got, c.want)
			}
		})
	}
	if db, err := h.store.DatabaseByID(t.Context(), h.db.ID); err != nil || db.OwnerID != h.owner.ID {
		t.Errorf("the owner is %d after refusals, %v", db.OwnerID, err)
	}
}
