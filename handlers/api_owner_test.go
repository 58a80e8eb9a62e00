package handlers

import (
	"net/http"
	"testing"

	"dbcollab/links"
)

func TestAPITransferOwnershipByRole(t *testing.T) {
	w := newAPIWorld(t)
	path := links.APIOwner(w.db.Name)
	body := `{"email": "user2@example.com"}`
	for _, role := range []string{"anonymous", "bad token", "stranger", "pending invitee", "collaborator"} {
		t.Run(role, func(t *testing.T) {
			before := w.stored()
			r := w.post(path, w.auth[role], body)
			switch role {
			case "anonymous", "bad token":
				unauthenticated(t, role, r)
			case "stranger", "pending invitee":
				r.expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
			default:
				r.expectError(t, http.StatusUnprocessableEntity, "Only the owner can transfer the ownership of a database")
			}
			w.expectNothingStored(t, before)
		})
	}
	t.Run("owner", func(t *testing.T) {
		var got struct {
			Database apiDatabase `json:"database"`
		}
		w.post(path, w.auth["owner"], body).expect(t, http.StatusOK).decode(t, &got)
		if got.Database.Name != w.db.Name || got.Database.Owner.Email != "user2@example.com" {
			t.Errorf("answered %+v; want my-dedicated-db owned by user2", got.Database)
		}
		to := w.takeEmails()
		if len(to) != 2 || to[0] != "user2@example.com" || to[1] != "user1@example.com" {
			t.Errorf("e-mails to %q; want the new owner, then the old", to)
		}
		// The old owner is a collaborator now: the next transfer is the new owner's.
		w.post(path, w.auth["owner"], `{"email": "user2@example.com"}`).
			expectError(t, http.StatusUnprocessableEntity, "Only the owner can transfer the ownership of a database")
		w.post(path, w.auth["collaborator"], `{"email": "user1@example.com"}`).expect(t, http.StatusOK)
	})
}

func TestAPITransferOwnershipRefusalsSayWhyAndStoreNothing(t *testing.T) {
	w := newAPIWorld(t)
	for _, c := range []struct{ name, email, message string }{
		{"pending invitation", "user3@example.com", "user3@example.com has not accepted the invitation to my-dedicated-db yet: ownership can only go to a collaborator"},
		{"stranger", "user4@example.com", "user4@example.com does not collaborate on my-dedicated-db: ownership can only go to a collaborator"},
		{"owner", "user1@example.com", "user1@example.com already owns my-dedicated-db"},
		{"invalid address", "not-an-address", "Enter a valid e-mail address, like name@example.com"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.stored()
			w.post(links.APIOwner(w.db.ID), w.auth["owner"], apiJSON(t, map[string]string{"email": c.email})).
				expectFieldError(t, http.StatusUnprocessableEntity, "email", c.message)
			w.expectNothingStored(t, before)
		})
	}
}
