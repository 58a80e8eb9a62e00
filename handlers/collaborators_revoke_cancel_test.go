package handlers_test

import (
	"net/http"
	"slices"
	"testing"
)

func TestRevokedCollaboratorsPendingInvitationsAreCancelled(t *testing.T) {
	h := newHarness(t)
	h.invite(h.collaborator, "alt@example.com")
	altToken := h.invitationToken("alt@example.com")
	carl, _ := h.row(h.collaborator.Email)

	owner := h.signedIn(h.owner)
	owner.submit(h.revokePath(carl), h.revokePath(carl), nil).expectRedirect(h.collaboratorsPath())
	page := owner.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if rowOf(page, "alt@example.com").Length() != 0 {
		t.Error("the revoked collaborator's invitation is still listed")
	}
	want := []string{"The invitation carl had sent to alt@example.com was cancelled: carl no longer collaborates",
		"olivia revoked the access of carl@example.com"}
	if got := events(page); len(got) < 2 || !slices.Equal(got[:2], want) {
		t.Errorf("activity %q, want %q first", got, want)
	}

	// The alternative address signs up from the link: the link no longer leads in.
	alt := h.anonymous()
	alt.get("/invitations/" + altToken).expectRedirect("/invitation")
	link := alt.get("/invitation").expectStatus(http.StatusGone)
	if got, want := link.text("[data-testid=invitation-state]"), "This invitation was cancelled: access to "+dbName+" was revoked before it was accepted."; got != want {
		t.Errorf("the link says %q, want %q", got, want)
	}
	if link.button("Accept").Length() != 0 || link.doc.Find("[data-testid=invitation] a[href^='/signup']").Length() != 0 {
		t.Error("a cancelled invitation still offers to accept or sign up")
	}
}
