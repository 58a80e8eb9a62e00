package handlers

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/store"
)

// apiClock is the service's fixed clock, so that answers compare byte for byte.
var apiClock = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// apiRoles are the callers every endpoint is tried with.
var apiRoles = []string{"anonymous", "bad token", "stranger", "pending invitee", "collaborator", "owner"}

// apiWorld is the dashboard on a fresh store with the demo data (user1 owns
// my-dedicated-db, user2 collaborates on it, user3 is invited and has since signed up
// without accepting, user4 is a stranger) and an API token for each of them.
type apiWorld struct {
	t   *testing.T
	svc *service.Service
	url string
	db  store.Database
	// users and auth are by role; auth is the Authorization header ("" for none).
	users map[string]store.User
	auth  map[string]string
}

// newAPIWorld builds the world; configure adjusts the service before it serves.
func newAPIWorld(t *testing.T, configure ...func(*service.Service)) *apiWorld {
	t.Helper()
	st, _ := teststore.Open(t)
	svc := &service.Service{Store: st, BaseURL: "http://dbcollab.test", PasswordCost: bcrypt.MinCost,
		Now: func() time.Time { return apiClock }}
	for _, c := range configure {
		c(svc)
	}
	ctx := t.Context()
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Signup(ctx, service.SignupInput{Email: "user3@example.com", Username: "user3", Password: service.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	srv := &Server{
		Service:  svc,
		Sessions: NewSessionStore(apiTestKey(t), apiTestKey(t), false),
		Log:      slog.New(slog.NewTextHandler(apiTestLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)

	w := &apiWorld{t: t, svc: svc, url: ts.URL, users: map[string]store.User{}, auth: map[string]string{
		"anonymous": "",
		"bad token": "Bearer dbcollab_" + strings.Repeat("A", 43),
	}}
	for role, name := range map[string]string{"owner": "user1", "collaborator": "user2", "pending invitee": "user3", "stranger": "user4"} {
		u, err := st.UserByEmail(ctx, name+"@example.com")
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := svc.CreateAPIToken(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		w.users[role], w.auth[role] = u, "Bearer "+token
	}
	var err error
	if w.db, err = svc.Database(ctx, w.users["owner"].ID, service.DemoDatabase); err != nil {
		t.Fatal(err)
	}
	w.takeEmails()
	return w
}

func apiTestKey(t *testing.T) []byte {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

// apiTestLog shows the server's warnings and errors in the test's output.
type apiTestLog struct{ t *testing.T }

func (l apiTestLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// apiReply is an API answer, read in full.
type apiReply struct {
	status int
	header http.Header
	body   string
}

// request calls the API with the Authorization header auth ("" for none) and, when
// contentType is not empty, a body of that type.
func (w *apiWorld) request(method, path, auth, contentType, body string) apiReply {
	w.t.Helper()
	req, err := http.NewRequestWithContext(w.t.Context(), method, w.url+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return apiReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (w *apiWorld) get(path, auth string) apiReply {
	return w.request(http.MethodGet, path, auth, "", "")
}

func (w *apiWorld) post(path, auth, body string) apiReply {
	return w.request(http.MethodPost, path, auth, "application/json", body)
}

func (w *apiWorld) delete(path, auth string) apiReply {
	return w.request(http.MethodDelete, path, auth, "", "")
}

// expect checks the status, and that every answer with a body is JSON.
func (r apiReply) expect(t *testing.T, status int) apiReply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); r.body != "" && ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json; body: %s", ct, r.body)
	}
	return r
}

// expectBody checks the status and the exact JSON answered.
func (r apiReply) expectBody(t *testing.T, status int, want string) {
	t.Helper()
	r.expect(t, status)
	if got := strings.TrimSpace(r.body); got != want {
		t.Fatalf("body:\n got %s\nwant %s", got, want)
	}
}

// expectError checks the status and that the body is exactly {"error": message}.
func (r apiReply) expectError(t *testing.T, status int, message string) {
	t.Helper()
	r.expectBody(t, status, apiJSON(t, map[string]string{"error": message}))
}

// expectFieldError checks the status and that the body is exactly
// {"error": message, "errors": {field: ["is invalid"]}} for a 422, and
// {"error": message, "errors": {field: [message]}} for a conflict.
func (r apiReply) expectFieldError(t *testing.T, status int, field, message string) {
	t.Helper()
	fieldMessage := message
	if status == http.StatusUnprocessableEntity {
		fieldMessage = "is invalid"
	}
	r.expectBody(t, status, apiJSON(t, map[string]any{"error": message, "errors": map[string][]string{field: {fieldMessage}}}))
}

func (r apiReply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func apiJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// collaboratorsPath is the collaborators endpoint of the demo database, by name.
func (w *apiWorld) collaboratorsPath(rest string) string {
	return "/v1/databases/" + service.DemoDatabase + "/collaborators" + rest
}

// row returns the live row of email on the demo database, if there is one.
func (w *apiWorld) row(email string) (store.Collaborator, bool) {
	w.t.Helper()
	m, err := w.svc.Store.LiveCollaboratorByEmail(w.t.Context(), w.db.ID, email)
	if errors.Is(err, store.ErrNotFound) {
		return store.Collaborator{}, false
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return m, true
}

// takeEmails empties the outbox as the sender would and returns the recipients.
func (w *apiWorld) takeEmails() []string {
	w.t.Helper()
	var to []string
	for {
		e, err := w.svc.Store.NextDueEmail(w.t.Context())
		if errors.Is(err, store.ErrNotFound) {
			return to
		}
		if err != nil {
			w.t.Fatal(err)
		}
		if err := w.svc.Store.Tx(w.t.Context(), func(tx store.WriteTx) error { return tx.MarkEmailSent(w.t.Context(), e.ID, apiClock) }); err != nil {
			w.t.Fatal(err)
		}
		to = append(to, e.To)
	}
}

// stored describes everything a refused request must leave as it was: the demo
// database's rows, every role's tokens and the outbox.
func (w *apiWorld) stored() string {
	w.t.Helper()
	rows, err := w.svc.Store.Collaborators(w.t.Context(), w.db.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range rows {
		fmt.Fprintf(&b, "row %d %s %s\n", m.ID, m.Email, m.Status)
	}
	for _, role := range apiRoles {
		if u, ok := w.users[role]; ok {
			tokens, err := w.svc.APITokens(w.t.Context(), u.ID)
			if err != nil {
				w.t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s has %d tokens\n", role, len(tokens))
		}
	}
	_, err = w.svc.Store.NextDueEmail(w.t.Context())
	fmt.Fprintf(&b, "outbox empty: %v\n", errors.Is(err, store.ErrNotFound))
	return b.String()
}

// expectNothingStored checks that the store is as before describes it.
func (w *apiWorld) expectNothingStored(t *testing.T, before string) {
	t.Helper()
	if after := w.stored(); after != before {
		t.Fatalf("the store changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}
