package handlers_test

import (
	"net/http"
	"testing"

	"dbcollab/links"
	"dbcollab/service/servicetest"
)

func TestRevokeRemovesAnAcceptedCollaborator(t *testing.T) {
	h := newHarness(t)
	removed := h.signedIn(h.collaborator)
	removed.get(links.Database(dbName)).expectStatus(http.StatusOK)

	m, _ := h.row(h.collaborator.Email)
	owner := h.signedIn(h.owner)
	owner.submit(h.revokePath(m), h.revokePath(m), nil).expectRedirect(h.collaboratorsPath())

	page := owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got, want := page.flash(), "carl@example.com has been removed from the collaborators of "+dbName; got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if rowOf(page, h.collaborator.Email).Length() != 0 {
		t.Error("the removed collaborator's row is still in the table")
	}
	// The very next request of the removed collaborator, same cookie, finds nothing.
	removed.get(links.Database(dbName)).expectStatus(http.StatusNotFound)
	removed.get(h.collaboratorsPath()).expectStatus(http.StatusNotFound)
	if home := removed.get("/").expectStatus(http.StatusOK); home.link(dbName).Length() != 0 {
		t.Error("the database is still in the removed collaborator's list")
	}
}

func TestRevokePendingInvitationCancelsItsLink(t *testing.T) {
	h := newHarness(t)
	m, _ := h.row(h.invitee.Email)
	a := h.signedIn(h.collaborator)
	a.submit(h.revokePath(m), h.revokePath(m), nil).expectRedirect(h.collaboratorsPath())
	page := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got, want := page.flash(), "pia@example.com has been removed from the collaborators of "+dbName; got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if rowOf(page, h.invitee.Email).Length() != 0 {
		t.Error("the cancelled invitation is still in the table")
	}

	invitee := h.signedIn(h.invitee)
	invitee.get("/invitations/" + h.inviteeToken).expectRedirect("/invitation")
	link := invitee.get("/invitation").expectStatus(http.StatusGone)
	if got, want := link.text("[data-testid=invitation-state]"), "This invitation was cancelled: access to "+dbName+" was revoked before it was accepted."; got != want {
		t.Errorf("the cancelled link says %q, want %q", got, want)
	}
	if link.button("Accept").Length() != 0 {
		t.Error("a cancelled invitation offers Accept")
	}
	invitee.postWithToken("/invitation", nil, invitee.token()).expectStatus(http.StatusConflict)
	invitee.get(links.Database(dbName)).expectStatus(http.StatusNotFound)
}

func TestRevokeOwnRowLeavesDatabase(t *testing.T) {
	h := newHarness(t)
	own, _ := h.row(h.collaborator.Email)
	a := h.signedIn(h.collaborator)
	confirm := a.get(h.revokePath(own)).expectStatus(http.StatusOK)
	if got, want := confirm.text("[data-testid=revoke-question]"), "You will stop collaborating on "+dbName+" and lose access to it."; got != want {
		t.Errorf("the confirmation asks %q, want %q", got, want)
	}
	a.submit(h.revokePath(own), h.revokePath(own), nil).expectRedirect("/")

	home := a.get("/").expectStatus(http.StatusOK)
	if got, want := home.flash(), "You no longer collaborate on "+dbName; got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if home.link(dbName).Length() != 0 {
		t.Error("the database is still in the list after leaving it")
	}
	a.get(links.Database(dbName)).expectStatus(http.StatusNotFound)
	if _, live := h.row(h.collaborator.Email); live {
		t.Error("the row is still live after leaving")
	}
}

func TestRevokeOwnerIsRefused(t *testing.T) {
	h := newHarness(t)
	owner, _ := h.row(h.owner.Email)
	for _, u := range []struct {
		name string
		a    *actor
	}{{"owner", h.signedIn(h.owner)}, {"collaborator", h.signedIn(h.collaborator)}} {
		u.a.postWithToken(h.revokePath(owner), nil, u.a.token()).expectRedirect(h.collaboratorsPath())
		page := u.a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
		if got := page.flash(); got != "The owner's access cannot be revoked: a database always keeps its owner" {
			t.Errorf("%s: flash %q", u.name, got)
		}
		if rowOf(page, h.owner.Email).Length() != 1 {
			t.Errorf("%s: the owner's row is gone", u.name)
		}
	}
	if m, live := h.row(h.owner.Email); !live || m.Status != "owner" {
		t.Errorf("owner row after the attempts: %+v (live: %v)", m, live)
	}
	h.signedIn(h.owner).get(links.Database(dbName)).expectStatus(http.StatusOK)
}

func TestRevokeUnknownRowIsNotFound(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	for _, path := range []string{
		h.collaboratorsPath() + "/999999/revoke",
		h.collaboratorsPath() + "/abc/revoke",
		h.collaboratorsPath() + "/0/revoke",
	} {
		a.get(path).expectStatus(http.StatusNotFound)
		a.postWithToken(path, nil, a.token()).expectStatus(http.StatusNotFound)
	}
	// A row of another database is not found through this one.
	other := servicetest.NewOtherDatabase(t, h.svc, h.stranger.ID, "other-db", "someone@example.com").Invited
	a.get(h.revokePath(other)).expectStatus(http.StatusNotFound)
	a.postWithToken(h.revokePath(other), nil, a.token()).expectStatus(http.StatusNotFound)
	rows, err := h.store.Collaborators(t.Context(), other.DatabaseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Errorf("other-db has %d rows, want its owner and its invitation", len(rows))
	}
}
