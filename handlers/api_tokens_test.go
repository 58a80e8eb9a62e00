package handlers

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dbcollab/service"
)

func TestAPITokenCreateAnswersAWorkingTokenOnce(t *testing.T) {
	w := newAPIWorld(t)
	var got struct {
		Token string `json:"token"`
	}
	w.post("/v1/tokens", "", `{"email": "user2@example.com", "password": "demo-password"}`).expect(t, http.StatusCreated).decode(t, &got)
	if got.Token == "" {
		t.Fatal("no token in the answer")
	}
	w.get("/v1/databases/"+w.db.Name, "Bearer "+got.Token).expect(t, http.StatusOK)

	tokens, err := w.svc.APITokens(t.Context(), w.users["collaborator"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 2 || tokens[0].Name != "dbcollab CLI on 2025-03-14" {
		t.Fatalf("collaborator's tokens = %+v, want the fixture's and a new one named after the CLI and the day", tokens)
	}
}

func TestAPITokenCreateTakesAName(t *testing.T) {
	w := newAPIWorld(t)
	w.post("/v1/tokens", "", `{"email": "user1@example.com", "password": "demo-password", "name": "build server"}`).expect(t, http.StatusCreated)
	tokens, err := w.svc.APITokens(t.Context(), w.users["owner"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if tokens[0].Name != "build server" {
		t.Fatalf("new token named %q, want %q", tokens[0].Name, "build server")
	}
	w.post("/v1/tokens", "", `{"email": "user1@example.com", "password": "demo-password", "name": "`+strings.Repeat("x", 101)+`"}`).
		expectFieldError(t, http.StatusUnprocessableEntity, "name", "A token name has at most 100 characters")
}

func TestAPITokenCreateRefusesUnknownAddressAndWrongPasswordAlike(t *testing.T) {
	w := newAPIWorld(t)
	before := w.stored()
	for name, body := range map[string]string{
		"unknown address": `{"email": "nobody@example.com", "password": "demo-password"}`,
		"wrong password":  `{"email": "user1@example.com", "password": "not-the-password"}`,
		"no password":     `{"email": "user1@example.com"}`,
		"empty object":    `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			w.post("/v1/tokens", "", body).expectError(t, http.StatusUnauthorized, "Wrong e-mail or password")
			w.expectNothingStored(t, before)
		})
	}
}

// The API authenticates with tokens alone: a signed-in dashboard session opens nothing,
// and the dashboard's CSRF check does not stand in the way of programs.
func TestAPIIgnoresTheSessionCookieAndCSRF(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, w.url+"/v1/databases", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(b.client.Jar.Cookies(req.URL)) == 0 {
		t.Fatal("the browser holds no cookie: the check proves nothing")
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /v1/databases with the session cookie only: status %d, want 401", resp.StatusCode)
	}
	if cookies := resp.Header.Values("Set-Cookie"); len(cookies) > 0 {
		t.Fatalf("the API set cookies: %q", cookies)
	}

	req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, w.url+"/v1/tokens",
		strings.NewReader(`{"email": "user1@example.com", "password": "demo-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/tokens without a CSRF token: status %d, want 201", resp.StatusCode)
	}
}

func TestAPIRefusesMissingAndBadTokens(t *testing.T) {
	w := newAPIWorld(t)
	for name, auth := range map[string]string{
		"no header":    "",
		"basic scheme": "Basic dXNlcjE6ZGVtby1wYXNzd29yZA==",
		"empty bearer": "Bearer ",
		"malformed":    "Bearer not-a-token",
		"unknown":      w.auth["bad token"],
		"token alone":  strings.TrimPrefix(w.auth["owner"], "Bearer "),
		"truncated":    w.auth["owner"][:len(w.auth["owner"])-1],
		"lengthened":   w.auth["stranger"] + "A",
	} {
		t.Run(name, func(t *testing.T) {
			r := w.get("/v1/databases", auth).expect(t, http.StatusUnauthorized)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Fatalf("WWW-Authenticate %q, want a Bearer challenge", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	w.get("/v1/databases", "").expectError(t, http.StatusUnauthorized, "Missing API token: send it in an Authorization: Bearer header")
	w.get("/v1/databases", w.auth["bad token"]).expectError(t, http.StatusUnauthorized, "Invalid API token: it does not exist, has expired or has been revoked")
	w.get("/v1/databases", "bearer "+strings.TrimPrefix(w.auth["owner"], "Bearer ")).expect(t, http.StatusOK)
}

func TestAPIUnknownRoutesAreJSON404s(t *testing.T) {
	w := newAPIWorld(t)
	for _, c := range []struct{ method, path, auth string }{
		{http.MethodGet, "/v1", ""},
		{http.MethodGet, "/v1/", ""},
		{http.MethodGet, "/v1/nothing", ""},
		{http.MethodGet, "/v1/nothing", w.auth["owner"]},
		{http.MethodGet, "/v1/databases/" + w.db.Name + "/collaborators/1/extra", w.auth["owner"]},
	} {
		w.request(c.method, c.path, c.auth, "", "").expectError(t, http.StatusNotFound, "No such API endpoint")
	}
}

// DELETE /v1/tokens/current is the CLI's logout: the token it is called with stops
// working at once, and no other does.
func TestAPILogoutRevokesTheTokenItIsCalledWith(t *testing.T) {
	w := newAPIWorld(t)
	second, _, err := w.svc.CreateAPIToken(t.Context(), w.users["owner"].ID, "second")
	if err != nil {
		t.Fatal(err)
	}
	r := w.delete("/v1/tokens/current", w.auth["owner"]).expect(t, http.StatusNoContent)
	if r.body != "" {
		t.Fatalf("204 with a body: %q", r.body)
	}
	w.get("/v1/databases", w.auth["owner"]).expect(t, http.StatusUnauthorized)
	w.delete("/v1/tokens/current", w.auth["owner"]).expect(t, http.StatusUnauthorized)
	w.get("/v1/databases", "Bearer "+second).expect(t, http.StatusOK)
	w.get("/v1/databases", w.auth["collaborator"]).expect(t, http.StatusOK)
	w.delete("/v1/tokens/current", "").expectError(t, http.StatusUnauthorized, "Missing API token: send it in an Authorization: Bearer header")
}

func TestAPITokenExpiryInDaysOnCreate(t *testing.T) {
	var now atomic.Pointer[time.Time]
	now.Store(&apiClock)
	w := newAPIWorld(t, func(s *service.Service) { s.Now = func() time.Time { return *now.Load() } })
	var got struct {
		Token     string  `json:"token"`
		ExpiresAt *string `json:"expires_at"`
	}
	w.post("/v1/tokens", "", `{"email": "user1@example.com", "password": "demo-password", "expires_in_days": 30}`).
		expect(t, http.StatusCreated).decode(t, &got)
	if got.ExpiresAt == nil || *got.ExpiresAt != "2025-04-13T09:26:53Z" {
		t.Fatalf("expires_at %v, want 2025-04-13T09:26:53Z", got.ExpiresAt)
	}
	w.get("/v1/databases", "Bearer "+got.Token).expect(t, http.StatusOK)
	expiry := apiClock.AddDate(0, 0, 30)
	now.Store(&expiry)
	w.get("/v1/databases", "Bearer "+got.Token).expectError(t, http.StatusUnauthorized, "Invalid API token: it does not exist, has expired or has been revoked")
	w.delete("/v1/tokens/current", "Bearer "+got.Token).expect(t, http.StatusUnauthorized)
	w.get("/v1/databases", w.auth["owner"]).expect(t, http.StatusOK)

	for _, days := range []string{"", `, "expires_in_days": 0`, `, "expires_in_days": null`} {
		r := w.post("/v1/tokens", "", `{"email": "user1@example.com", "password": "demo-password"`+days+`}`).expect(t, http.StatusCreated)
		if !strings.Contains(r.body, `"expires_at":null`) {
			t.Errorf("without an expiry (%q): %s", days, r.body)
		}
	}
}

func TestAPITokenExpiryOutOfRangeIsRefused(t *testing.T) {
	w := newAPIWorld(t)
	before := w.stored()
	for _, days := range []string{"-1", "366", "30.5", "1e9", `"thirty"`} {
		body := `{"email": "user1@example.com", "password": "demo-password", "expires_in_days": ` + days + `}`
		if days == `"thirty"` {
			w.post("/v1/tokens", "", body).expect(t, http.StatusBadRequest)
			continue
		}
		w.post("/v1/tokens", "", body).expectFieldError(t, http.StatusUnprocessableEntity, "expires_in_days", "A token expires after 1 to 365 days, or never (0)")
	}
	w.expectNothingStored(t, before)
}
