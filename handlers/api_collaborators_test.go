package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"dbcollab/service/servicetest"
)

// collaboratorJSON is a row as the API shows it, at the fixed clock, without a PostgreSQL server.
func collaboratorJSON(id int64, email, username, status, role string, accepted bool) string {
	user, acceptedAt := "null", "null"
	if username != "" {
		user = `"` + username + `"`
	}
	if accepted {
		acceptedAt = `"2025-03-14T09:26:53Z"`
	}
	return fmt.Sprintf(`{"id":%d,"email":"%s","username":%s,"status":"%s","role":"%s","invited_at":"2025-03-14T09:26:53Z","accepted_at":%s,"access":"none"}`,
		id, email, user, status, role, acceptedAt)
}

func (w *apiWorld) rowID(email string) int64 {
	w.t.Helper()
	m, ok := w.row(email)
	if !ok {
		w.t.Fatalf("%s has no live row", email)
	}
	return m.ID
}

func TestAPICollaboratorsListsOwnerFirstThenInvitationOrder(t *testing.T) {
	w := newAPIWorld(t)
	want := `{"collaborators":[` + strings.Join([]string{
		collaboratorJSON(w.rowID("user1@example.com"), "user1@example.com", "user1", "owner", "owner", true),
		collaboratorJSON(w.rowID("user2@example.com"), "user2@example.com", "user2", "accepted", "collaborator", true),
		collaboratorJSON(w.rowID("user3@example.com"), "user3@example.com", "", "pending", "collaborator", false),
	}, ",") + `],"total":3}`
	for _, ref := range []string{w.db.Name, w.db.ID} {
		for _, role := range apiRoles {
			t.Run(ref+"/"+role, func(t *testing.T) {
				r := w.get("/v1/databases/"+ref+"/collaborators", w.auth[role])
				switch role {
				case "anonymous", "bad token":
					unauthenticated(t, role, r)
				case "stranger", "pending invitee":
					r.expectError(t, http.StatusNotFound, "Database "+ref+" not found")
				default:
					r.expectBody(t, http.StatusOK, want)
				}
			})
		}
	}
}

func TestAPIInviteByRole(t *testing.T) {
	w := newAPIWorld(t)
	for _, role := range apiRoles {
		t.Run(role, func(t *testing.T) {
			email := "new-" + strings.ReplaceAll(role, " ", "-") + "@example.com"
			before := w.stored()
			r := w.post(w.collaboratorsPath(""), w.auth[role], `{"collaborator": {"email": " `+strings.ToUpper(email)+` "}}`)
			switch role {
			case "anonymous", "bad token":
				unauthenticated(t, role, r)
				w.expectNothingStored(t, before)
			case "stranger", "pending invitee":
				r.expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
				w.expectNothingStored(t, before)
				// Not even a bad address tells them the database exists.
				w.post(w.collaboratorsPath(""), w.auth[role], `{"collaborator": {"email": "bad"}}`).
					expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
			default:
				r.expectBody(t, http.StatusCreated, `{"collaborator":`+
					collaboratorJSON(w.rowID(email), email, "", "pending", "collaborator", false)+`}`)
				if sent := w.takeEmails(); !slices.Equal(sent, []string{email}) {
					t.Fatalf("e-mails queued to %q, want one to %s", sent, email)
				}
			}
		})
	}
}

func TestAPIInviteByDatabaseID(t *testing.T) {
	w := newAPIWorld(t)
	w.post("/v1/databases/"+w.db.ID+"/collaborators", w.auth["owner"], `{"collaborator": {"email": "new@example.com"}}`).
		expect(t, http.StatusCreated)
	if _, ok := w.row("new@example.com"); !ok {
		t.Fatal("no row for the invited address")
	}
}

func TestAPIInviteRefusalsSayWhyAndStoreNothing(t *testing.T) {
	w := newAPIWorld(t)
	for _, c := range []struct {
		name, email string
		status      int
		message     string
	}{
		{"empty address", "", http.StatusUnprocessableEntity, "Enter an e-mail address"},
		{"invalid address", "not-an-address", http.StatusUnprocessableEntity, "Enter a valid e-mail address, like name@example.com"},
		{"display name", "Ann <ann@example.com>", http.StatusUnprocessableEntity, "Enter a valid e-mail address, like name@example.com"},
		{"owner", "user1@example.com", http.StatusConflict, "user1@example.com is the owner of my-dedicated-db"},
		{"collaborator", "USER2@example.com", http.StatusConflict, "user2@example.com already collaborates on my-dedicated-db"},
		{"pending invitation", "user3@example.com", http.StatusConflict, "user3@example.com has already been invited to my-dedicated-db"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.stored()
			w.post(w.collaboratorsPath(""), w.auth["collaborator"], apiJSON(t, map[string]any{"collaborator": map[string]string{"email": c.email}})).
				expectFieldError(t, c.status, "email", c.message)
			w.expectNothingStored(t, before)
		})
	}
}

func TestAPIRemoveByRole(t *testing.T) {
	w := newAPIWorld(t)
	for _, role := range apiRoles {
		t.Run(role, func(t *testing.T) {
			email := "target-" + strings.ReplaceAll(role, " ", "-") + "@example.com"
			if _, _, err := w.svc.Invite(t.Context(), w.users["owner"].ID, w.db.Name, email); err != nil {
				t.Fatal(err)
			}
			w.takeEmails()
			before := w.stored()
			r := w.delete(w.collaboratorsPath(fmt.Sprintf("/%d", w.rowID(email))), w.auth[role])
			switch role {
			case "anonymous", "bad token":
				unauthenticated(t, role, r)
				w.expectNothingStored(t, before)
			case "stranger", "pending invitee":
				r.expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
				w.expectNothingStored(t, before)
			default:
				r.expect(t, http.StatusNoContent)
				if r.body != "" {
					t.Fatalf("204 with a body: %s", r.body)
				}
				if _, ok := w.row(email); ok {
					t.Fatalf("%s still has a live row", email)
				}
			}
		})
	}
}

func TestAPIRemoveOwnerIsRefused(t *testing.T) {
	w := newAPIWorld(t)
	before := w.stored()
	for _, role := range []string{"owner", "collaborator"} {
		w.delete(w.collaboratorsPath(fmt.Sprintf("/%d", w.rowID("user1@example.com"))), w.auth[role]).
			expectError(t, http.StatusUnprocessableEntity, "The owner's access cannot be revoked: a database always keeps its owner")
	}
	w.expectNothingStored(t, before)
}

func TestAPIRemoveUnknownRowIsNotFound(t *testing.T) {
	w := newAPIWorld(t)
	other := servicetest.NewOtherDatabase(t, w.svc, w.users["stranger"].ID, "other-db", "someone@example.com")
	before := w.stored()
	for _, id := range []string{"999", "0", "-1", "abc", fmt.Sprint(other.OwnerRow.ID), fmt.Sprint(other.Invited.ID)} {
		w.delete(w.collaboratorsPath("/"+id), w.auth["owner"]).
			expectError(t, http.StatusNotFound, "Collaborator "+id+" not found on my-dedicated-db")
	}
	w.expectNothingStored(t, before)
	w.delete("/v1/databases/no-such-db/collaborators/1", w.auth["owner"]).
		expectError(t, http.StatusNotFound, "Database no-such-db not found")
}

func TestAPIRemoveOwnRowLeavesTheDatabase(t *testing.T) {
	w := newAPIWorld(t)
	w.delete(w.collaboratorsPath(fmt.Sprintf("/%d", w.rowID("user2@example.com"))), w.auth["collaborator"]).
		expect(t, http.StatusNoContent)
	w.get("/v1/databases", w.auth["collaborator"]).expectBody(t, http.StatusOK, `{"databases":[]}`)
	w.get("/v1/databases/"+w.db.Name, w.auth["collaborator"]).expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
}

// A revocation holds from the revoked collaborator's very next request, whatever it is.
func TestAPIRevokedCollaboratorLosesAccessOnNextRequest(t *testing.T) {
	w := newAPIWorld(t)
	collaborator := w.auth["collaborator"]
	w.get(w.collaboratorsPath(""), collaborator).expect(t, http.StatusOK)
	w.delete(w.collaboratorsPath(fmt.Sprintf("/%d", w.rowID("user2@example.com"))), w.auth["owner"]).
		expect(t, http.StatusNoContent)

	notFound := "Database my-dedicated-db not found"
	w.get("/v1/databases/"+w.db.Name, collaborator).expectError(t, http.StatusNotFound, notFound)
	w.get(w.collaboratorsPath(""), collaborator).expectError(t, http.StatusNotFound, notFound)
	w.post(w.collaboratorsPath(""), collaborator, `{"collaborator": {"email": "new@example.com"}}`).expectError(t, http.StatusNotFound, notFound)
	w.delete(w.collaboratorsPath(fmt.Sprintf("/%d", w.rowID("user3@example.com"))), collaborator).expectError(t, http.StatusNotFound, notFound)
	w.get("/v1/databases", collaborator).expectBody(t, http.StatusOK, `{"databases":[]}`)
}
