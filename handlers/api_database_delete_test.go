package handlers

import (
	"net/http"
	"testing"

	"dbcollab/links"
)

func TestAPIDeleteDatabaseByRole(t *testing.T) {
	w := newAPIWorld(t)
	path := links.APIDatabase(w.db.Name)
	for _, role := range []string{"anonymous", "bad token", "stranger", "pending invitee", "collaborator"} {
		t.Run(role, func(t *testing.T) {
			before := w.stored()
			r := w.delete(path, w.auth[role])
			switch role {
			case "anonymous", "bad token":
				unauthenticated(t, role, r)
			case "stranger", "pending invitee":
				r.expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
			default:
				r.expectError(t, http.StatusUnprocessableEntity, "Only the owner can delete a database")
			}
			w.expectNothingStored(t, before)
		})
	}
	t.Run("owner", func(t *testing.T) {
		w.delete(links.APIDatabase(w.db.ID), w.auth["owner"]).expectBody(t, http.StatusNoContent, "")
		to := w.takeEmails()
		if len(to) != 2 || to[0] != "user1@example.com" || to[1] != "user2@example.com" {
			t.Errorf("e-mails to %q; want the owner's receipt, then the collaborator", to)
		}
		w.get(path, w.auth["owner"]).expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
		w.delete(path, w.auth["owner"]).expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
	})
}
