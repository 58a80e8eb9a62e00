package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

func TestInviteLimitsPerInviterAndPerRecipientAreSaidNextToTheEmailField(t *testing.T) {
	t.Run("per inviter", func(t *testing.T) {
		// The seed's two invitations were the owner's.
		h, _ := newLifecycleHarness(t, 0)
		h.svc.InviteLimitPerInviter = 3
		const message = "You have reached your limit of 3 invitations in 24 hours; try again later"
		a := h.signedIn(h.owner)
		a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"third@example.com"}}).expectRedirect(h.collaboratorsPath())
		h.takeEmails()

		before := len(h.rows())
		r := a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"fourth@example.com"}}).
			expectStatus(http.StatusTooManyRequests)
		r.expectFieldError("Email", "email", message)
		r.expectField("Email", "fourth@example.com")
		a.submit(h.collaboratorsPath(), h.resendPath(h.mustRow(h.invitee.Email)), nil).expectRedirect(h.collaboratorsPath())
		if got := a.get(h.collaboratorsPath()).flash(); got != message {
			t.Errorf("a resend past the limit says %q", got)
		}
		if len(h.rows()) != before || len(h.takeEmails()) != 0 {
			t.Error("a refused invitation stored or sent something")
		}
		// Another member has a limit of their own.
		h.signedIn(h.collaborator).submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"fourth@example.com"}}).
			expectRedirect(h.collaboratorsPath())
	})
	t.Run("per recipient", func(t *testing.T) {
		h, _ := newLifecycleHarness(t, 0)
		h.svc.InviteLimitPerRecipient = 2
		const message = "pia@example.com has already received 2 invitations in 24 hours; try again later"
		if _, err := h.svc.CreateDatabase(context.Background(), h.owner.ID, newDatabase("other-db")); err != nil {
			t.Fatal(err)
		}
		a := h.signedIn(h.collaborator)
		a.submit(h.collaboratorsPath(), h.resendPath(h.mustRow(h.invitee.Email)), nil).expectRedirect(h.collaboratorsPath())
		h.takeEmails()

		other := "/databases/other-db/settings/collaborators"
		owner := h.signedIn(h.owner)
		r := owner.submit(other, other, url.Values{"email": {"Pia@example.com"}}).expectStatus(http.StatusTooManyRequests)
		r.expectFieldError("Email", "email", message)
		owner.submit(h.collaboratorsPath(), h.resendPath(h.mustRow(h.invitee.Email)), nil).expectRedirect(h.collaboratorsPath())
		if got := owner.get(h.collaboratorsPath()).flash(); got != message {
			t.Errorf("a resend past the limit says %q", got)
		}
		if len(h.takeEmails()) != 0 {
			t.Error("a refused invitation was e-mailed")
		}
		owner.submit(other, other, url.Values{"email": {"someone@example.com"}}).expectRedirect(other)
	})
}
