package handlers

import (
	"net/http"
	"testing"

	"dbcollab/service"
)

// unauthenticated checks the answers of the two roles without a valid token.
func unauthenticated(t *testing.T, role string, r apiReply) {
	t.Helper()
	if role == "anonymous" {
		r.expectError(t, http.StatusUnauthorized, "Missing API token: send it in an Authorization: Bearer header")
	} else {
		r.expectError(t, http.StatusUnauthorized, "Invalid API token: it does not exist, has expired or has been revoked")
	}
}

func (w *apiWorld) demoDatabaseJSON() string {
	return `{"id":"` + w.db.ID + `","name":"my-dedicated-db","plan":"postgresql-dr-starter-4096",` +
		`"owner":{"email":"user1@example.com","username":"user1"},"created_at":"2025-03-14T09:26:53Z"}`
}

func TestAPIDatabasesListsOwnedAndCollaboratingDatabases(t *testing.T) {
	w := newAPIWorld(t)
	own, err := w.svc.CreateDatabase(t.Context(), w.users["collaborator"].ID,
		service.NewDatabaseInput{Name: "analytics-db", Plan: service.Plans[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	ownJSON := `{"id":"` + own.ID + `","name":"analytics-db","plan":"postgresql-dr-business-8192",` +
		`"owner":{"email":"user2@example.com","username":"user2"},"created_at":"2025-03-14T09:26:53Z"}`
	want := map[string]string{
		"stranger":        `{"databases":[]}`,
		"pending invitee": `{"databases":[]}`,
		"collaborator":    `{"databases":[` + ownJSON + `,` + w.demoDatabaseJSON() + `]}`,
		"owner":           `{"databases":[` + w.demoDatabaseJSON() + `]}`,
	}
	for _, role := range apiRoles {
		t.Run(role, func(t *testing.T) {
			r := w.get("/v1/databases", w.auth[role])
			if body, ok := want[role]; ok {
				r.expectBody(t, http.StatusOK, body)
			} else {
				unauthenticated(t, role, r)
			}
		})
	}
}

func TestAPIDatabaseByNameOrIDOnlyForMembers(t *testing.T) {
	w := newAPIWorld(t)
	for _, ref := range []string{w.db.Name, w.db.ID} {
		for _, role := range apiRoles {
			t.Run(ref+"/"+role, func(t *testing.T) {
				r := w.get("/v1/databases/"+ref, w.auth[role])
				switch role {
				case "anonymous", "bad token":
					unauthenticated(t, role, r)
				case "stranger", "pending invitee":
					r.expectError(t, http.StatusNotFound, "Database "+ref+" not found")
				default:
					r.expectBody(t, http.StatusOK, `{"database":`+w.demoDatabaseJSON()+`}`)
				}
			})
		}
	}
	t.Run("unknown database", func(t *testing.T) {
		w.get("/v1/databases/no-such-db", w.auth["owner"]).expectError(t, http.StatusNotFound, "Database no-such-db not found")
	})
}
