package handlers

import (
	"net/http"
	"testing"

	"dbcollab/service"
)

func TestAPIInviteLimitsPerInviterAndPerRecipientAre429(t *testing.T) {
	t.Run("per inviter", func(t *testing.T) {
		// The demo's two invitations were user1's, the owner's.
		w := newAPIWorld(t, func(s *service.Service) { s.InviteLimitPerInviter = 2 })
		const message = "You have reached your limit of 2 invitations in 24 hours; try again later"
		before := w.stored()
		w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": {"email": "more@example.com"}}`).
			expectFieldError(t, http.StatusTooManyRequests, "email", message)
		w.post(w.resendPath("user3@example.com"), w.auth["owner"], "").expectError(t, http.StatusTooManyRequests, message)
		w.expectNothingStored(t, before)
		// The collaborator resends: it counts against them, and goes.
		w.post(w.resendPath("user3@example.com"), w.auth["collaborator"], "").expect(t, http.StatusOK)
	})
	t.Run("per recipient", func(t *testing.T) {
		w := newAPIWorld(t, func(s *service.Service) { s.InviteLimitPerRecipient = 2 })
		const message = "user3@example.com has already received 2 invitations in 24 hours; try again later"
		w.post(w.resendPath("user3@example.com"), w.auth["collaborator"], "").expect(t, http.StatusOK)
		w.takeEmails()
		before := w.stored()
		w.post(w.resendPath("user3@example.com"), w.auth["owner"], "").expectError(t, http.StatusTooManyRequests, message)
		w.expectNothingStored(t, before)
		w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": {"email": "more@example.com"}}`).expect(t, http.StatusCreated)
	})
}
