package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeAPI is the /v1 contract of issue 3 over the demo data, in memory: one database,
// my-dedicated-db (ID db-1f2e), owned by user1, with user2 accepted and user3 pending;
// user4 sees nothing. Every password is demo-password.
type fakeAPI struct {
	URL string

	mu     sync.Mutex
	tokens map[string]string // token → e-mail
	rows   []fakeRow
	nextID int
	// calls logs "METHOD /path" of every request, to check what was (not) asked.
	calls []string
	// resets counts the password resets, each giving password-N.
	resets int
	// answer, when set, answers instead of the contract's handlers if it returns true:
	// for answers a well-behaved API does not give.
	answer func(w http.ResponseWriter, r *http.Request) bool
}

type fakeRow struct {
	id              int
	email, username string
	status          string
}

const (
	demoDatabaseID   = "db-1f2e"
	demoDatabaseName = "my-dedicated-db"
)

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{
		tokens: map[string]string{},
		rows: []fakeRow{
			{1, "user1@example.com", "user1", "owner"},
			{2, "user2@example.com", "user2", "accepted"},
			{3, "user3@example.com", "", "pending"},
		},
		nextID: 4,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/tokens", f.createToken)
	mux.HandleFunc("DELETE /v1/tokens/current", f.authed(f.revokeToken))
	mux.HandleFunc("GET /v1/databases", f.authed(f.listDatabases))
	mux.HandleFunc("GET /v1/databases/{db}", f.authed(f.showDatabase))
	mux.HandleFunc("GET /v1/databases/{db}/collaborators", f.authed(f.listCollaborators))
	mux.HandleFunc("POST /v1/databases/{db}/collaborators", f.authed(f.invite))
	mux.HandleFunc("DELETE /v1/databases/{db}/collaborators/{id}", f.authed(f.revoke))
	mux.HandleFunc("GET /v1/databases/{db}/credentials", f.authed(f.credentials))
	mux.HandleFunc("POST /v1/databases/{db}/credentials", f.authed(f.credentials))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.EscapedPath())
		answer := f.answer
		f.mu.Unlock()
		if answer != nil && answer(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// tokenFor logs in as email directly, for tests about other commands than login.
func (f *fakeAPI) tokenFor(email string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	token := "token-" + strings.TrimSuffix(email, "@example.com")
	f.tokens[token] = email
	return token
}

// answerWith makes the fake give other answers than the contract's, for requests answer accepts.
func (f *fakeAPI) answerWith(answer func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = answer
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func (f *fakeAPI) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct{ Email, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || r.Header.Get("Content-Type") != "application/json" {
		writeError(w, http.StatusBadRequest, "Malformed JSON")
		return
	}
	if in.Password != "demo-password" || !strings.HasPrefix(in.Email, "user") {
		writeError(w, http.StatusUnauthorized, "Wrong e-mail or password")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": f.tokenFor(in.Email)})
}

func (f *fakeAPI) revokeToken(w http.ResponseWriter, r *http.Request, _ string) {
	delete(f.tokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	w.WriteHeader(http.StatusNoContent)
}

// valid says whether token still works.
func (f *fakeAPI) valid(token string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.tokens[token]
	return ok
}

// authed runs next with the token's e-mail address under the lock.
func (f *fakeAPI) authed(next func(w http.ResponseWriter, r *http.Request, email string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		email, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok {
			writeError(w, http.StatusUnauthorized, "Invalid API token")
			return
		}
		next(w, r, email)
	}
}

// visible says whether email may see the database named by ref (its name or ID).
func (f *fakeAPI) visible(ref, email string) bool {
	if ref != demoDatabaseName && ref != demoDatabaseID {
		return false
	}
	for _, row := range f.rows {
		if row.email == email && row.status != "pending" {
			return true
		}
	}
	return false
}

func (f *fakeAPI) listDatabases(w http.ResponseWriter, _ *http.Request, email string) {
	list := []any{}
	if f.visible(demoDatabaseID, email) {
		list = append(list, map[string]string{"id": demoDatabaseID, "name": demoDatabaseName})
	}
	writeJSON(w, http.StatusOK, map[string]any{"databases": list})
}

func (f *fakeAPI) showDatabase(w http.ResponseWriter, r *http.Request, email string) {
	if !f.visible(r.PathValue("db"), email) {
		writeError(w, http.StatusNotFound, "Database "+r.PathValue("db")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"database": map[string]any{
		"id": demoDatabaseID, "name": demoDatabaseName, "owner": map[string]string{"email": "user1@example.com"},
	}})
}

func (row fakeRow) json() map[string]any {
	out := map[string]any{"id": row.id, "email": row.email, "username": nil, "status": row.status,
		"role": "collaborator", "invited_at": "2026-01-02T03:04:05Z", "accepted_at": nil}
	if row.username != "" {
		out["username"] = row.username
	}
	if row.status == "owner" {
		out["role"] = "owner"
	}
	return out
}

func (f *fakeAPI) listCollaborators(w http.ResponseWriter, r *http.Request, email string) {
	if !f.visible(r.PathValue("db"), email) {
		writeError(w, http.StatusNotFound, "Database "+r.PathValue("db")+" not found")
		return
	}
	list := []any{}
	for _, row := range f.rows {
		list = append(list, row.json())
	}
	writeJSON(w, http.StatusOK, map[string]any{"collaborators": list})
}

func (f *fakeAPI) invite(w http.ResponseWriter, r *http.Request, email string) {
	if !f.visible(r.PathValue("db"), email) {
		writeError(w, http.StatusNotFound, "Database "+r.PathValue("db")+" not found")
		return
	}
	var in struct {
		Collaborator struct{ Email string } `json:"collaborator"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Malformed JSON")
		return
	}
	address := strings.ToLower(strings.TrimSpace(in.Collaborator.Email))
	if strings.Count(address, "@") != 1 || !strings.Contains(address, ".") {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error": "Enter a valid e-mail address", "errors": map[string][]string{"email": {"is invalid"}}})
		return
	}
	for _, row := range f.rows {
		if row.email == address {
			writeError(w, http.StatusConflict, fmt.Sprintf("%s is already %s on %s", address, row.status, demoDatabaseName))
			return
		}
	}
	row := fakeRow{id: f.nextID, email: address, status: "pending"}
	f.nextID++
	f.rows = append(f.rows, row)
	writeJSON(w, http.StatusCreated, map[string]any{"collaborator": row.json()})
}

func (f *fakeAPI) revoke(w http.ResponseWriter, r *http.Request, email string) {
	if !f.visible(r.PathValue("db"), email) {
		writeError(w, http.StatusNotFound, "Database "+r.PathValue("db")+" not found")
		return
	}
	id, _ := strconv.Atoi(r.PathValue("id"))
	for i, row := range f.rows {
		if row.id != id {
			continue
		}
		if row.status == "owner" {
			writeError(w, http.StatusUnprocessableEntity, "The owner's access cannot be revoked")
			return
		}
		f.rows = append(f.rows[:i], f.rows[i+1:]...)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeError(w, http.StatusNotFound, "Collaborator "+r.PathValue("id")+" not found")
}

// credentials answers a member's own PostgreSQL login (row N is role dbc_mN) on the
// demo database; a POST resets its password.
func (f *fakeAPI) credentials(w http.ResponseWriter, r *http.Request, email string) {
	if !f.visible(r.PathValue("db"), email) {
		writeError(w, http.StatusNotFound, "Database "+r.PathValue("db")+" not found")
		return
	}
	var row fakeRow
	for _, row = range f.rows {
		if row.email == email {
			break
		}
	}
	role := "dbc_m" + strconv.Itoa(row.id)
	creds := map[string]any{"host": "pg.example.com", "port": 5432, "database": demoDatabaseName, "user": role,
		"uri": "postgresql://" + role + "@pg.example.com:5432/" + demoDatabaseName}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		f.resets++
		creds["password"] = "password-" + strconv.Itoa(f.resets)
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"credentials": creds, "username": row.username})
}
