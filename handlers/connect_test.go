package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/internal/teststore"
	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
)

// Without --postgres-url the Overview says so plainly, to every member, and offers no
// credentials.
func TestOverviewSaysNoPostgreSQLServerIsAttached(t *testing.T) {
	h := newHarness(t)
	for name, a := range map[string]*actor{"owner": h.signedIn(h.owner), "collaborator": h.signedIn(h.collaborator)} {
		r := a.get(links.Database(dbName)).expectStatus(http.StatusOK)
		if got := r.text(`[data-testid=connect] [data-testid=no-postgres]`); got != "No PostgreSQL server is attached to this dashboard: there is no database to connect to yet." {
			t.Errorf("%s: the Connect card says %q", name, got)
		}
		if n := r.doc.Find(`[data-testid=credentials], [data-testid=usage], form[action="` + links.Credentials(dbName) + `"]`).Length(); n != 0 {
			t.Errorf("%s: %d credentials, usage or reset elements without a server", name, n)
		}
	}
}

// newConnectHarness is the harness with a (fake) PostgreSQL server whose roles for the
// owner and the collaborator exist, as the reconciler leaves them.
func newConnectHarness(t *testing.T) (*harness, *fakePostgres) {
	pg := &fakePostgres{}
	h := newHarness(t, withPostgres(pg))
	h.activateAccess()
	return h, pg
}

func TestConnectCardShowsYourOwnLoginWithoutPassword(t *testing.T) {
	h, _ := newConnectHarness(t)
	for _, u := range []store.User{h.owner, h.collaborator} {
		t.Run(u.Username, func(t *testing.T) {
			h := h.in(t)
			role := h.accessRole(u).RoleName
			r := h.signedIn(u).get(links.Database(dbName)).expectStatus(http.StatusOK)
			uri := "postgresql://" + role + "@pg.example.test:5433/" + dbName
			for testid, want := range map[string]string{"host": "pg.example.test", "port": "5433", "database": dbName,
				"user": role, "uri": uri, "psql": `psql "` + uri + `"`} {
				if got := r.text(`[data-testid=connect] [data-testid=` + testid + `]`); got != want {
					t.Errorf("%s: %q, want %q", testid, got, want)
				}
			}
			form := r.doc.Find(`[data-testid=connect] form[method=post][action="` + links.Credentials(dbName) + `"]`)
			if textOf(form.Find("button")) != "Reset password" || form.Find(`input[name=_csrf]`).Length() != 1 {
				t.Errorf("no Reset password form with a CSRF token: %q", textOf(form))
			}
			if r.doc.Find(`[data-testid=password], [data-testid=new-password]`).Length() != 0 {
				t.Error("the page shows a password")
			}
		})
	}
}

// The reset's answer is the page that shows the new password, once: not stored, not in
// a cookie, not logged, not on the next page; the server has the new verifier.
func TestResetPasswordShowsItOnTheAnswerOnly(t *testing.T) {
	h, pg := newConnectHarness(t)
	var log bytes.Buffer
	h.server.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := h.signedIn(h.collaborator)
	before := h.accessRole(h.collaborator)

	r := a.submit(links.Database(dbName), links.Credentials(dbName), nil).expectStatus(http.StatusOK)
	password := r.text(`[data-testid=new-password] [data-testid=password]`)
	if len(password) < 20 {
		t.Fatalf("no new password shown: %q", password)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if n := strings.Count(r.body, password); n != 1 {
		t.Errorf("the password is %d times in the page", n)
	}
	after := h.accessRole(h.collaborator)
	if after.Verifier == before.Verifier || !strings.HasPrefix(after.Verifier, "SCRAM-SHA-256$") {
		t.Errorf("verifier %q, was %q: not a new SCRAM verifier", after.Verifier, before.Verifier)
	}
	pg.mu.Lock()
	sent := pg.verifiers[after.RoleName]
	pg.mu.Unlock()
	if sent != after.Verifier || strings.Contains(sent, password) {
		t.Errorf("the server got %q, the store has %q", sent, after.Verifier)
	}
	for _, c := range r.cookies {
		if strings.Contains(c.Value, password) {
			t.Errorf("cookie %s carries the password", c.Name)
		}
	}
	if strings.Contains(log.String(), password) {
		t.Error("the password is in the log")
	}
	expectNowhereInTheStore(t, h, password)

	next := a.get(links.Database(dbName)).expectStatus(http.StatusOK)
	if strings.Contains(next.body, password) || next.doc.Find(`[data-testid=password]`).Length() != 0 {
		t.Error("the next page shows the password again")
	}
	if got := next.text(`[data-testid=user]`); got != after.RoleName {
		t.Errorf("user %q after the reset, want %q", got, after.RoleName)
	}
}

// expectNowhereInTheStore checks that no column of any table holds secret.
func expectNowhereInTheStore(t *testing.T, h *harness, secret string) {
	t.Helper()
	db := teststore.SQL(t, h.dsn)
	for _, table := range teststore.Tables(t, db) {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range values {
				if s, ok := v.(string); ok && strings.Contains(s, secret) {
					t.Errorf("%s.%s holds the password", table, cols[i])
				}
				if b, ok := v.([]byte); ok && bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s.%s holds the password", table, cols[i])
				}
			}
		}
		rows.Close()
	}
}

func TestConnectCardSaysWhatItWaitsFor(t *testing.T) {
	pg := &fakePostgres{}
	h := newHarness(t, withPostgres(pg)) // roles not granted yet
	a := h.signedIn(h.collaborator)

	r := a.get(links.Database(dbName)).expectStatus(http.StatusOK)
	if got := r.text(`[data-testid=connect-waiting]`); got != "Your PostgreSQL login on this database is being granted: your credentials will show here in a moment (reload the page)." {
		t.Errorf("while granting: %q", got)
	}
	if r.doc.Find(`[data-testid=credentials], form[action="`+links.Credentials(dbName)+`"]`).Length() != 0 {
		t.Error("credentials or a reset button before the login exists")
	}
	// A POST anyway is sent back with the reason, nothing changed.
	before := h.accessRole(h.collaborator).Verifier
	a.postWithToken(links.Credentials(dbName), nil, a.token()).expectRedirect(links.Database(dbName))
	if got := a.get(links.Database(dbName)).flash(); got != "Your PostgreSQL login on this database is still being granted: try again in a moment" {
		t.Errorf("flash %q", got)
	}
	if h.accessRole(h.collaborator).Verifier != before {
		t.Error("the verifier changed")
	}

	role := h.accessRole(h.collaborator).RoleName
	err := h.store.Tx(context.Background(), func(tx store.WriteTx) error {
		for range 3 {
			if err := tx.RecordAccessRoleFailure(context.Background(), role, "permission denied to create role\nDETAIL: hint"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.get(links.Database(dbName)).text(`[data-testid=connect-waiting]`); got != "Your PostgreSQL login on this database could not be granted yet (permission denied to create role); dbcollab keeps trying." {
		t.Errorf("while failing: %q", got)
	}
}

func TestOverviewShowsSizeAndWhoIsConnectedToEveryMember(t *testing.T) {
	h, pg := newConnectHarness(t)
	owner, collaborator := h.accessRole(h.owner).RoleName, h.accessRole(h.collaborator).RoleName
	pg.set(func(f *fakePostgres) { f.size = 8 << 20 })
	for _, u := range []store.User{h.owner, h.collaborator} {
		r := h.signedIn(u).get(links.Database(dbName)).expectStatus(http.StatusOK)
		if got := r.text(`[data-testid=usage] [data-testid=size]`); got != "8 MB" {
			t.Errorf("%s: size %q", u.Username, got)
		}
		if got := r.text(`[data-testid=nobody-connected]`); got != "Nobody" {
			t.Errorf("%s: nobody connected says %q", u.Username, got)
		}
	}
	pg.set(func(f *fakePostgres) { f.sessions = map[string]int{owner: 2, collaborator: 1, "postgres": 4} })
	r := h.signedIn(h.collaborator).get(links.Database(dbName)).expectStatus(http.StatusOK)
	var got []string
	r.doc.Find(`[data-testid=connected] li`).Each(func(_ int, li *goquery.Selection) { got = append(got, textOf(li)) })
	if want := []string{"olivia: 2 sessions", "carl: 1 session"}; !slices.Equal(got, want) {
		t.Errorf("connected %q, want %q", got, want)
	}

	pg.set(func(f *fakePostgres) { f.down = true })
	r = h.signedIn(h.collaborator).get(links.Database(dbName)).expectStatus(http.StatusOK)
	if got := r.text(`[data-testid=usage-unknown]`); got != "The PostgreSQL server cannot be reached right now: its size and who is connected are unknown until it is back." {
		t.Errorf("server down: %q", got)
	}
	a := h.signedIn(h.collaborator)
	a.postWithToken(links.Credentials(dbName), nil, a.token()).expectRedirect(links.Database(dbName))
	if got := a.get(links.Database(dbName)).flash(); got != "The PostgreSQL server cannot be reached right now: try again in a moment" {
		t.Errorf("reset while down: flash %q", got)
	}
}

// accessOf is the access state a row of the tab shows.
func accessOf(page *response, email string) string {
	return textOf(rowOf(page, email).Find("[data-testid=access]"))
}

func TestCollaboratorsTabShowsEachMembersAccess(t *testing.T) {
	pg := &fakePostgres{}
	h := newHarness(t, withPostgres(pg))
	owner := h.accessRole(h.owner).RoleName
	err := h.store.Tx(context.Background(), func(tx store.WriteTx) error {
		return tx.SetAccessRoleState(context.Background(), owner, store.AccessActive)
	})
	if err != nil {
		t.Fatal(err)
	}
	a := h.signedIn(h.owner)
	page := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	for email, want := range map[string]string{h.owner.Email: "PostgreSQL access: active", h.collaborator.Email: "PostgreSQL access: being granted", h.invitee.Email: ""} {
		if got := accessOf(page, email); got != want {
			t.Errorf("%s: %q, want %q", email, got, want)
		}
	}

	pg.set(func(f *fakePostgres) { f.sessions = map[string]int{owner: 3} })
	if got := accessOf(a.get(h.collaboratorsPath()), h.owner.Email); got != "PostgreSQL access: active, connected: 3" {
		t.Errorf("with sessions: %q", got)
	}

	role := h.accessRole(h.collaborator).RoleName
	err = h.store.Tx(context.Background(), func(tx store.WriteTx) error {
		for range 3 {
			if err := tx.RecordAccessRoleFailure(context.Background(), role, "could not connect to server\nIs the server running?"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := accessOf(a.get(h.collaboratorsPath()), h.collaborator.Email); got != "PostgreSQL access: failing: could not connect to server" {
		t.Errorf("failing: %q", got)
	}

	// Revoked: gone from the table, listed until PostgreSQL has removed the login.
	row, _ := h.row(h.collaborator.Email)
	if _, err := h.svc.Revoke(context.Background(), h.owner.ID, dbName, row.ID); err != nil {
		t.Fatal(err)
	}
	page = a.get(h.collaboratorsPath())
	if got := page.text(`[data-testid=still-being-removed]`); got != "Access still being removed: carl@example.com" {
		t.Errorf("after the revocation: %q", got)
	}
	err = h.store.Tx(context.Background(), func(tx store.WriteTx) error { return tx.DeleteAccessRole(context.Background(), role) })
	if err != nil {
		t.Fatal(err)
	}
	if n := a.get(h.collaboratorsPath()).doc.Find(`[data-testid=still-being-removed]`).Length(); n != 0 {
		t.Error("still listed once the login is gone")
	}
}

// Live session counts are read on every view: a cached tab is served while they are
// the same, and never once they changed.
func TestCachedTabFollowsTheSessionCounts(t *testing.T) {
	h, pg := newConnectHarness(t)
	owner := h.accessRole(h.owner).RoleName
	a := h.signedIn(h.owner)
	fresh := a.tabStatements()
	cached := a.tabStatements()
	if cached >= fresh {
		t.Fatalf("the second view ran %d statements, the first %d: not from the cache", cached, fresh)
	}
	pg.set(func(f *fakePostgres) { f.sessions = map[string]int{owner: 1} })
	if got := accessOf(a.get(h.collaboratorsPath()), h.owner.Email); got != "PostgreSQL access: active, connected: 1" {
		t.Errorf("after a session opened: %q", got)
	}
	if n := a.tabStatements(); n != cached {
		t.Errorf("with the same sessions, a view ran %d statements, want %d (cached)", n, cached)
	}
	pg.set(func(f *fakePostgres) { f.sessions = nil })
	if got := accessOf(a.get(h.collaboratorsPath()), h.owner.Email); got != "PostgreSQL access: active" {
		t.Errorf("after the session closed: %q", got)
	}
}

// apiCredentialsAs calls the credentials route of ref as u with an API token; a 5xx
// is an answer like any other here.
func apiCredentialsAs(t *testing.T, h *harness, u store.User, method, ref string) *response {
	t.Helper()
	token, _, err := h.svc.CreateAPIToken(context.Background(), u.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, h.url+links.APICredentials(ref), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{t: t, status: res.StatusCode, header: res.Header, body: string(body)}
}

func TestAPICredentials(t *testing.T) {
	h, pg := newConnectHarness(t)
	role := h.accessRole(h.collaborator).RoleName
	uri := "postgresql://" + role + "@pg.example.test:5433/" + dbName

	got := apiCredentialsAs(t, h, h.collaborator, http.MethodGet, h.db.ID)
	want := `{"credentials":{"host":"pg.example.test","port":5433,"database":"` + dbName + `","user":"` + role + `","uri":"` + uri + `"},"username":"carl"}`
	if got.status != http.StatusOK || strings.TrimSpace(got.body) != want {
		t.Errorf("GET: %d %s\nwant 200 %s", got.status, got.body, want)
	}

	got = apiCredentialsAs(t, h, h.collaborator, http.MethodPost, dbName)
	var out struct {
		Credentials map[string]any
		Username    string
	}
	if err := json.Unmarshal([]byte(got.body), &out); err != nil || got.status != http.StatusCreated {
		t.Fatalf("POST: %d %s", got.status, got.body)
	}
	password, _ := out.Credentials["password"].(string)
	if len(password) < 20 || out.Credentials["user"] != role || out.Credentials["uri"] != uri || len(out.Credentials) != 6 {
		t.Errorf("POST: %s", got.body)
	}
	pg.mu.Lock()
	sent := pg.verifiers[role]
	pg.mu.Unlock()
	if sent == "" || sent != h.accessRole(h.collaborator).Verifier {
		t.Error("the server was not given the new verifier")
	}
	expectNowhereInTheStore(t, h, password)

	// 404 for a database one may not see, as for one that does not exist.
	missing := apiCredentialsAs(t, h, h.stranger, http.MethodGet, "no-such-db")
	for _, u := range []store.User{h.stranger, h.invitee} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := apiCredentialsAs(t, h, u, method, "no-such-db")
			hidden := apiCredentialsAs(t, h, u, method, dbName)
			if hidden.status != http.StatusNotFound || strings.ReplaceAll(hidden.body, dbName, "no-such-db") != r.body || r.body != missing.body {
				t.Errorf("%s %s: %d %s, want the 404 of a missing database %s", u.Username, method, hidden.status, hidden.body, missing.body)
			}
		}
	}

	// Being granted: 409. Server down or none: 503. The API's error shape.
	newcomer := h.signup("nina@example.com", "nina")
	h.invite(h.owner, newcomer.Email)
	if _, err := h.svc.AcceptInvitation(context.Background(), newcomer.ID, h.invitationToken(newcomer.Email)); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		r := apiCredentialsAs(t, h, newcomer, method, dbName)
		if r.status != http.StatusConflict || strings.TrimSpace(r.body) != `{"error":"Your PostgreSQL login on this database is still being granted: try again in a moment"}` {
			t.Errorf("%s while granting: %d %s", method, r.status, r.body)
		}
	}
	pg.set(func(f *fakePostgres) { f.down = true })
	r := apiCredentialsAs(t, h, h.collaborator, http.MethodPost, dbName)
	if r.status != http.StatusServiceUnavailable || strings.TrimSpace(r.body) != `{"error":"The PostgreSQL server cannot be reached right now: try again in a moment"}` {
		t.Errorf("POST while down: %d %s", r.status, r.body)
	}
	bare := newHarness(t)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		r := apiCredentialsAs(t, bare, bare.collaborator, method, dbName)
		if r.status != http.StatusServiceUnavailable || strings.TrimSpace(r.body) != `{"error":"No PostgreSQL server is attached to this dashboard"}` {
			t.Errorf("%s without a server: %d %s", method, r.status, r.body)
		}
	}
}

func TestAPICollaboratorsSayTheirAccess(t *testing.T) {
	pg := &fakePostgres{}
	h := newHarness(t, withPostgres(pg))
	owner := h.accessRole(h.owner).RoleName
	err := h.store.Tx(context.Background(), func(tx store.WriteTx) error {
		return tx.SetAccessRoleState(context.Background(), owner, store.AccessActive)
	})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := h.svc.CreateAPIToken(context.Background(), h.owner.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	r := h.anonymous().api(http.MethodGet, links.APICollaborators(dbName), "Bearer "+token, "")
	var out struct {
		Collaborators []struct{ Email, Access string }
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range out.Collaborators {
		got[c.Email] = c.Access
	}
	want := map[string]string{h.owner.Email: "active", h.collaborator.Email: "granting", h.invitee.Email: "none"}
	if !maps.Equal(got, want) {
		t.Errorf("access %v, want %v", got, want)
	}
}

// A member who deletes their account while their login is still on the server stays in
// the owner's "Access still being removed" line until PostgreSQL has dropped it: the
// account's deletion must not take the pending revocation out of sight.
func TestDeletedAccountStaysListedUntilItsLoginIsGone(t *testing.T) {
	h := newHarness(t, withPostgres(&fakePostgres{}))
	role := h.accessRole(h.collaborator).RoleName
	err := h.svc.DeleteAccount(context.Background(), h.collaborator.ID, service.AccountDeletion{Password: password, Email: h.collaborator.Email})
	if err != nil {
		t.Fatal(err)
	}
	a := h.signedIn(h.owner)
	if got := a.get(h.collaboratorsPath()).text(`[data-testid=still-being-removed]`); got != "Access still being removed: carl@example.com" {
		t.Errorf("after the account's deletion: %q", got)
	}
	err = h.store.Tx(context.Background(), func(tx store.WriteTx) error { return tx.DeleteAccessRole(context.Background(), role) })
	if err != nil {
		t.Fatal(err)
	}
	if n := a.get(h.collaboratorsPath()).doc.Find(`[data-testid=still-being-removed]`).Length(); n != 0 {
		t.Error("still listed once the login is gone")
	}
}
