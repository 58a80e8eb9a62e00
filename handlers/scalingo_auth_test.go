package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"dbcollab/service"
)

var testAccessKey = []byte(strings.Repeat("k", 32))

func withAccessKey(svc *service.Service) { svc.AccessTokenKey = testAccessKey }

// compatibleRoutes are requests to every route the access token opens.
var compatibleRoutes = []struct{ method, path, body string }{
	{http.MethodGet, "/v1/users/self", ""},
	{http.MethodGet, "/v1/apps/my-dedicated-db", ""},
	{http.MethodGet, "/v1/apps/my-dedicated-db/addons", ""},
	{http.MethodGet, "/v1/apps/my-dedicated-db/collaborators", ""},
	{http.MethodPost, "/v1/apps/my-dedicated-db/collaborators", `{"collaborator":{"email":"user@example.com","is_limited":false}}`},
	{http.MethodDelete, "/v1/apps/my-dedicated-db/collaborators/999", ""},
}

func expectInvalidAccessToken(t *testing.T, what string, r apiReply) {
	t.Helper()
	if r.status != http.StatusUnauthorized ||
		strings.TrimSpace(r.body) != `{"error":"Invalid access token: it is malformed, expired, or its API token was revoked"}` ||
		r.header.Get("WWW-Authenticate") != `Bearer realm="dbcollab", error="invalid_token"` {
		t.Errorf("%s: %d %s (WWW-Authenticate %q), want 401 invalid access token", what, r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
}

func TestAccessTokenIsRefusedWhereItWouldWidenAccess(t *testing.T) {
	w := newAPIWorld(t)
	access := w.exchange(t, "owner")
	for _, path := range []string{"/v1/databases", "/v1/databases/my-dedicated-db", "/v1/databases/my-dedicated-db/collaborators", "/v1/databases/my-dedicated-db/events"} {
		unauthenticated(t, "access token", w.get(path, access))
	}
	before := w.stored()
	unauthenticated(t, "access token", w.post("/v1/databases/my-dedicated-db/collaborators", access, `{"collaborator":{"email":"user@example.com"}}`))
	unauthenticated(t, "access token", w.delete("/v1/databases/my-dedicated-db/collaborators/"+itoa(w.rowID("user3@example.com")), access))
	unauthenticated(t, "access token", w.delete("/v1/databases/my-dedicated-db", access))
	w.expectNothingStored(t, before)
	// An access token cannot be exchanged again.
	w.scalingoRequest(http.MethodPost, "/v1/tokens/exchange", access, `{}`).expect(t, http.StatusUnauthorized)
	w.expectNothingStored(t, before)

	// And the API token is not an access token.
	for _, route := range compatibleRoutes {
		expectInvalidAccessToken(t, route.method+" "+route.path+" with the API token",
			w.scalingoRequest(route.method, route.path, w.auth["owner"], route.body))
	}
	w.expectNothingStored(t, before)
}

// TestAccessTokenOpensNoOtherRoute: on every route of the table but the compatible ones
// (dashboard, API, exchange), the access token gets what no credential gets, and writes
// nothing, so that a new route cannot take it by mistake.
func TestAccessTokenOpensNoOtherRoute(t *testing.T) {
	w := newAPIWorld(t)
	access := w.exchange(t, "owner")
	before := w.stored()
	params := strings.NewReplacer(":db", "my-dedicated-db", ":id", itoa(w.rowID("user3@example.com")), ":token", "x", "*", "")
	tried := 0
	for _, route := range (&Server{}).Routes().Routes() {
		if route.Path == "/v1/users/self" || strings.HasPrefix(route.Path, "/v1/apps/") || route.Path == "/*" {
			continue
		}
		tried++
		path := params.Replace(route.Path)
		anonymous := w.request(route.Method, path, "", "application/json", `{}`)
		withAccess := w.request(route.Method, path, access, "application/json", `{}`)
		if withAccess.status != anonymous.status || withAccess.header.Get("Location") != anonymous.header.Get("Location") {
			t.Errorf("%s %s: %d with the access token, %d without credentials", route.Method, path, withAccess.status, anonymous.status)
		}
	}
	w.expectNothingStored(t, before)
	if tried < 30 {
		t.Fatalf("only %d routes tried: the route table was not read", tried)
	}
	t.Logf("%d routes besides the compatible ones: the access token gets what no credential gets, nothing written", tried)
}

func TestCompatibleRoutesWithoutAccessTokenAre401(t *testing.T) {
	w := newAPIWorld(t)
	for _, route := range compatibleRoutes {
		r := w.scalingoRequest(route.method, route.path, "", route.body)
		r.expectError(t, http.StatusUnauthorized, "Missing access token: exchange an API token at /v1/tokens/exchange and send it in an Authorization: Bearer header")
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="dbcollab"` {
			t.Errorf("%s %s: WWW-Authenticate %q", route.method, route.path, got)
		}
	}
}

func TestRevokingTheAPITokenEndsItsAccessTokenOnEveryRoute(t *testing.T) {
	w := newAPIWorld(t)
	access := w.exchange(t, "owner")
	w.scalingoRequest(http.MethodGet, "/v1/apps/my-dedicated-db", access, "").expect(t, http.StatusOK)
	owner := w.users["owner"]
	tokens, err := w.svc.APITokens(t.Context(), owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RevokeAPIToken(t.Context(), owner.ID, tokens[0].ID); err != nil {
		t.Fatal(err)
	}
	before := w.stored()
	for _, route := range compatibleRoutes {
		expectInvalidAccessToken(t, route.method+" "+route.path+" after the API token was revoked",
			w.scalingoRequest(route.method, route.path, access, route.body))
	}
	w.expectNothingStored(t, before)
}

func TestForgedAccessTokensAre401(t *testing.T) {
	w := newAPIWorld(t, withAccessKey)
	access := strings.TrimPrefix(w.exchange(t, "owner"), "Bearer ")
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(access, claims); err != nil {
		t.Fatal(err)
	}
	sign := func(method jwt.SigningMethod, key any, change func(jwt.MapClaims)) string {
		c := jwt.MapClaims{}
		for k, v := range claims {
			c[k] = v
		}
		change(c)
		signed, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	same := func(jwt.MapClaims) {}
	for what, forged := range map[string]string{
		"signed with another key": sign(jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), same),
		"alg none":                sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, same),
		"expired": sign(jwt.SigningMethodHS256, testAccessKey, func(c jwt.MapClaims) {
			c["iat"], c["exp"] = apiClock.Add(-2*time.Hour).Unix(), apiClock.Add(-time.Hour).Unix()
		}),
		"lasting a day":           sign(jwt.SigningMethodHS256, testAccessKey, func(c jwt.MapClaims) { c["exp"] = apiClock.Add(24 * time.Hour).Unix() }),
		"for another account":     sign(jwt.SigningMethodHS256, testAccessKey, func(c jwt.MapClaims) { c["sub"] = itoa(w.users["collaborator"].ID) }),
		"the right key, no claim": sign(jwt.SigningMethodHS256, testAccessKey, func(c jwt.MapClaims) { clear(c) }),
		"not a JWT":               "dbcollab_" + strings.Repeat("A", 43),
	} {
		for _, route := range compatibleRoutes {
			expectInvalidAccessToken(t, what+": "+route.method+" "+route.path, w.scalingoRequest(route.method, route.path, "Bearer "+forged, route.body))
		}
	}
	w.scalingoRequest(http.MethodGet, "/v1/users/self", "Bearer "+access, "").expect(t, http.StatusOK)
}
