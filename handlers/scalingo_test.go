package handlers

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"dbcollab/service"
)

// These tests replay the requests of ../shared/spec/scalingo-cli-wire.md as the official
// client (v1.48.0, go-scalingo) makes them: JSON content type and an empty query string
// on every request, Basic auth with an empty user for the exchange, the access token as
// Bearer afterwards.

// scalingoRequest is a request as go-scalingo sends it.
func (w *apiWorld) scalingoRequest(method, path, auth, body string) apiReply {
	w.t.Helper()
	if method == http.MethodGet || method == http.MethodDelete {
		path += "?"
	}
	return w.request(method, path, auth, "application/json", body)
}

// basicAuth is the exchange's Authorization header for a role's API token.
func (w *apiWorld) basicAuth(role string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+strings.TrimPrefix(w.auth[role], "Bearer ")))
}

// exchange trades a role's API token for an access token, as every command starts, and
// returns its Authorization header.
func (w *apiWorld) exchange(t *testing.T, role string) string {
	t.Helper()
	r := w.scalingoRequest(http.MethodPost, "/v1/tokens/exchange", w.basicAuth(role), `{}`).expect(t, http.StatusOK)
	var answer struct{ Token string }
	r.decode(t, &answer)
	if want := `{"token":"` + answer.Token + `"}`; strings.TrimSpace(r.body) != want {
		t.Fatalf("exchange answered %s, want %s", r.body, want)
	}
	return "Bearer " + answer.Token
}

func TestScalingoLoginExchangesTheAPITokenForAJWT(t *testing.T) {
	w := newAPIWorld(t)
	auth := w.exchange(t, "owner")

	// The client reads exp without checking the signature, and exchanges again 5
	// minutes before it: it must be there, at most an hour ahead.
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimPrefix(auth, "Bearer "), &claims); err != nil {
		t.Fatalf("the token is not a JWT: %v", err)
	}
	if claims.ExpiresAt == nil || !claims.ExpiresAt.Equal(apiClock.Add(time.Hour)) {
		t.Fatalf("exp %v, want %v", claims.ExpiresAt, apiClock.Add(time.Hour))
	}

	owner := w.users["owner"]
	w.scalingoRequest(http.MethodGet, "/v1/users/self", auth, "").expectBody(t, http.StatusOK,
		fmt.Sprintf(`{"user":{"id":"%d","username":"user1","email":"user1@example.com","flags":{}}}`, owner.ID))
	w.scalingoRequest(http.MethodGet, "/v1/regions", auth, "").expectBody(t, http.StatusOK,
		`{"regions":[{"name":"dbcollab","display_name":"dbcollab","api":"http://dbcollab.test","database_api":"http://dbcollab.test","ssh":"","dashboard":"http://dbcollab.test","default":true}]}`)
}

func TestScalingoExchangeRefusesWhatIsNotAnAPITokenAsPassword(t *testing.T) {
	w := newAPIWorld(t)
	token := strings.TrimPrefix(w.auth["owner"], "Bearer ")
	basic := func(userPass string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass)) }
	for what, auth := range map[string]string{
		"nothing":                  "",
		"the API token as Bearer":  w.auth["owner"],
		"the API token as user":    basic(token + ":"),
		"a user and the API token": basic("user1@example.com:" + token),
		"a password":               basic(":" + service.DemoPassword),
		"an unknown API token":     w.basicAuth("bad token"),
		"an access token":          basic(":" + strings.TrimPrefix(w.exchange(t, "owner"), "Bearer ")),
	} {
		t.Run(what, func(t *testing.T) {
			r := w.scalingoRequest(http.MethodPost, "/v1/tokens/exchange", auth, `{}`).expect(t, http.StatusUnauthorized)
			if got := r.header.Get("WWW-Authenticate"); got != `Basic realm="dbcollab"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
		})
	}
}

// seedTable is the table of the spec's `scalingo --database my-dedicated-db collaborators`.
var seedTable = [][]string{
	{"user1@example.com", "user1", "owner", "owner"},
	{"user2@example.com", "user2", "accepted", "collaborator"},
	{"user3@example.com", "n/a", "pending", "collaborator"},
}

type wireCollaborator struct {
	ID, AppID, Username, Email, Status, UserID string
	IsLimited                                  bool `json:"is_limited"`
}

// collaboratorsTable makes the table as the official client does: the app's owner,
// then the rows of the list, with the role it derives from is_limited.
func (w *apiWorld) collaboratorsTable(t *testing.T, auth, ref string) [][]string {
	t.Helper()
	var list struct{ Collaborators []wireCollaborator }
	w.scalingoRequest(http.MethodGet, "/v1/apps/"+ref+"/collaborators", auth, "").expect(t, http.StatusOK).decode(t, &list)
	var app struct {
		App struct {
			Owner struct{ Email, Username string }
		}
	}
	w.scalingoRequest(http.MethodGet, "/v1/apps/"+ref, auth, "").expect(t, http.StatusOK).decode(t, &app)
	table := [][]string{{app.App.Owner.Email, app.App.Owner.Username, "owner", "owner"}}
	for _, c := range list.Collaborators {
		role := "collaborator"
		if c.IsLimited {
			role = "limited collaborator"
		}
		table = append(table, []string{c.Email, c.Username, c.Status, role})
	}
	return table
}

func TestScalingoCollaboratorsReplaysTheWireRecord(t *testing.T) {
	w := newAPIWorld(t)
	owner, collaborator := w.users["owner"], w.users["collaborator"]
	addons := fmt.Sprintf(`{"addons":[{"id":"%[1]s","app_id":"%[1]s","resource_id":"my-dedicated-db","status":"running",`+
		`"plan":{"id":"%[2]s","name":"%[2]s","display_name":"%[3]s"},"addon_provider":{"id":"postgresql","name":"PostgreSQL"}}]}`,
		w.db.ID, w.db.Plan, service.PlanLabel(w.db.Plan))
	collaborators := fmt.Sprintf(`{"collaborators":[`+
		`{"id":"%d","app_id":"%s","username":"user2","email":"user2@example.com","status":"accepted","user_id":"%d","is_limited":false},`+
		`{"id":"%d","app_id":"%s","username":"n/a","email":"user3@example.com","status":"pending","user_id":"","is_limited":false}]}`,
		w.rowID("user2@example.com"), w.db.ID, collaborator.ID, w.rowID("user3@example.com"), w.db.ID)
	app := fmt.Sprintf(`{"app":{"id":"%s","name":"my-dedicated-db","owner":{"id":"%d","username":"user1","email":"user1@example.com"},"created_at":"2025-03-14T09:26:53Z"}}`,
		w.db.ID, owner.ID)

	for _, role := range []string{"owner", "collaborator"} {
		auth := w.exchange(t, role)
		for _, ref := range []string{w.db.Name, w.db.ID} {
			t.Run(role+" by "+ref, func(t *testing.T) {
				w.scalingoRequest(http.MethodGet, "/v1/apps/"+ref+"/addons", auth, "").expectBody(t, http.StatusOK, addons)
				w.scalingoRequest(http.MethodGet, "/v1/apps/"+ref+"/collaborators", auth, "").expectBody(t, http.StatusOK, collaborators)
				w.scalingoRequest(http.MethodGet, "/v1/apps/"+ref, auth, "").expectBody(t, http.StatusOK, app)
				if got := w.collaboratorsTable(t, auth, ref); !slices.EqualFunc(got, seedTable, slices.Equal) {
					t.Fatalf("table %q, want the seed's %q", got, seedTable)
				}
			})
		}
	}
}

func TestScalingoUnknownOrHiddenDatabaseIs404(t *testing.T) {
	w := newAPIWorld(t)
	for _, role := range []string{"owner", "stranger", "pending invitee"} {
		auth := w.exchange(t, role)
		for _, ref := range []string{"no-such-db", "db_000000000000000000000000", w.db.Name, w.db.ID} {
			if role == "owner" && (ref == w.db.Name || ref == w.db.ID) {
				continue
			}
			for _, path := range []string{"/addons", "/collaborators", ""} {
				w.scalingoRequest(http.MethodGet, "/v1/apps/"+ref+path, auth, "").
					expectError(t, http.StatusNotFound, "Database "+ref+" not found")
			}
			before := w.stored()
			w.scalingoRequest(http.MethodPost, "/v1/apps/"+ref+"/collaborators", auth, `{"collaborator":{"email":"user@example.com","is_limited":false}}`).
				expectError(t, http.StatusNotFound, "Database "+ref+" not found")
			w.scalingoRequest(http.MethodPost, "/v1/apps/"+ref+"/collaborators", auth, `{"collaborator":{"email":"user@example.com","is_limited":true}}`).
				expectError(t, http.StatusNotFound, "Database "+ref+" not found")
			w.scalingoRequest(http.MethodDelete, "/v1/apps/"+ref+"/collaborators/"+itoa(w.rowID("user3@example.com")), auth, "").
				expectError(t, http.StatusNotFound, "Database "+ref+" not found")
			w.expectNothingStored(t, before)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestScalingoCollaboratorsAddReplaysTheWireRecord(t *testing.T) {
	w := newAPIWorld(t)
	auth := w.exchange(t, "owner")
	path := "/v1/apps/" + w.db.ID + "/collaborators"

	r := w.scalingoRequest(http.MethodPost, path, auth, `{"collaborator":{"email":"user@example.com","is_limited":false}}`)
	r.expectBody(t, http.StatusCreated, fmt.Sprintf(
		`{"collaborator":{"id":"%d","app_id":"%s","username":"n/a","email":"user@example.com","status":"pending","user_id":"","is_limited":false}}`,
		w.rowID("user@example.com"), w.db.ID))
	if sent := w.takeEmails(); !slices.Equal(sent, []string{"user@example.com"}) {
		t.Fatalf("e-mails queued to %q, want the invitation to user@example.com", sent)
	}

	// Refusals are 422 with the field's messages, which the client prints as "* email → ...".
	for body, want := range map[string]string{
		`{"collaborator":{"email":"user2@example.com","is_limited":false}}`: `{"error":"user2@example.com already collaborates on my-dedicated-db","errors":{"email":["user2@example.com already collaborates on my-dedicated-db"]}}`,
		`{"collaborator":{"email":"user@example.com","is_limited":false}}`:  `{"error":"user@example.com has already been invited to my-dedicated-db","errors":{"email":["user@example.com has already been invited to my-dedicated-db"]}}`,
		`{"collaborator":{"email":"user1@example.com","is_limited":false}}`: `{"error":"user1@example.com is the owner of my-dedicated-db","errors":{"email":["user1@example.com is the owner of my-dedicated-db"]}}`,
		`{"collaborator":{"email":"new@example.com","is_limited":true}}`:    `{"error":"dbcollab has no limited collaborators","errors":{"is_limited":["is not supported"]}}`,
	} {
		before := w.stored()
		w.scalingoRequest(http.MethodPost, path, auth, body).expectBody(t, http.StatusUnprocessableEntity, want)
		w.expectNothingStored(t, before)
	}
	before := w.stored()
	var bad struct{ Errors map[string][]string }
	w.scalingoRequest(http.MethodPost, path, auth, `{"collaborator":{"email":"not an address","is_limited":false}}`).
		expect(t, http.StatusUnprocessableEntity).decode(t, &bad)
	if !slices.Equal(bad.Errors["email"], []string{"is invalid"}) {
		t.Fatalf("errors %v, want email: is invalid", bad.Errors)
	}
	w.expectNothingStored(t, before)
}

func TestScalingoCollaboratorsRemoveReplaysTheWireRecord(t *testing.T) {
	w := newAPIWorld(t)
	auth := w.exchange(t, "owner")
	rowOf := func(email string) (string, bool) {
		var list struct{ Collaborators []wireCollaborator }
		w.scalingoRequest(http.MethodGet, "/v1/apps/my-dedicated-db/collaborators", auth, "").expect(t, http.StatusOK).decode(t, &list)
		for _, c := range list.Collaborators {
			if c.Email == email {
				return c.ID, true
			}
		}
		return "", false
	}
	id, ok := rowOf("user3@example.com")
	if !ok {
		t.Fatal("user3@example.com is not listed")
	}
	r := w.scalingoRequest(http.MethodDelete, "/v1/apps/my-dedicated-db/collaborators/"+id, auth, "")
	if r.status != http.StatusNoContent || r.body != "" {
		t.Fatalf("DELETE: %d %q, want 204 and no body", r.status, r.body)
	}
	if _, still := rowOf("user3@example.com"); still {
		t.Fatal("user3@example.com is still listed")
	}
	if sent := w.takeEmails(); !slices.Equal(sent, []string{"user3@example.com"}) {
		t.Fatalf("e-mails queued to %q, want the cancellation to user3@example.com", sent)
	}
	// The client finds no ghost@example.com in the list and sends no DELETE; a row that
	// is not there is a 404.
	if _, listed := rowOf("ghost@example.com"); listed {
		t.Fatal("ghost@example.com is listed")
	}
	w.scalingoRequest(http.MethodDelete, "/v1/apps/my-dedicated-db/collaborators/"+id, auth, "").
		expectError(t, http.StatusNotFound, "Collaborator "+id+" not found on my-dedicated-db")

	// The owner's row is not listed; named by its ID it is refused, with a message the
	// client prints.
	before := w.stored()
	w.scalingoRequest(http.MethodDelete, "/v1/apps/my-dedicated-db/collaborators/"+itoa(w.rowID("user1@example.com")), auth, "").
		expectBody(t, http.StatusUnprocessableEntity, `{"error":"The owner's access cannot be revoked: a database always keeps its owner","errors":{"base":["The owner's access cannot be revoked: a database always keeps its owner"]}}`)
	w.expectNothingStored(t, before)
}

func TestScalingoCollaboratorRemovingTheirOwnAddressStopsCollaborating(t *testing.T) {
	w := newAPIWorld(t)
	auth := w.exchange(t, "collaborator")
	own := w.rowID("user2@example.com")
	r := w.scalingoRequest(http.MethodDelete, "/v1/apps/"+w.db.ID+"/collaborators/"+itoa(own), auth, "")
	if r.status != http.StatusNoContent {
		t.Fatalf("DELETE own row: %d %s", r.status, r.body)
	}
	if m, live := w.row("user2@example.com"); live {
		t.Fatalf("user2's row is still live: %+v", m)
	}
	if sent := w.takeEmails(); !slices.Equal(sent, []string{"user1@example.com"}) {
		t.Fatalf("e-mails queued to %q, want the departure notice to the owner", sent)
	}
	w.scalingoRequest(http.MethodGet, "/v1/apps/my-dedicated-db/addons", auth, "").
		expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
}
