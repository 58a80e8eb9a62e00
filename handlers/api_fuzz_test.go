package handlers_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// apiBodies are the API endpoints that read a JSON body, and the owner's credential
// they take, if any.
var apiBodies = []struct {
	path string
	auth func(p *inProcess) string
}{
	{"/v1/tokens", func(*inProcess) string { return "" }},
	{"/v1/databases/" + inProcessDB + "/collaborators", func(p *inProcess) string { return p.auth }},
	{"/v1/apps/" + inProcessDB + "/collaborators", func(p *inProcess) string { return p.access }},
}

// FuzzAPIJSON sends arbitrary bodies, under an arbitrary Content-Type, to the API
// endpoints that read JSON. Whatever they are: no 5xx, the answer is JSON, a refusal is
// {"error": "..."} and stores nothing, and what a success stored is valid. Seeds are in
// testdata/fuzz/FuzzAPIJSON.
func FuzzAPIJSON(f *testing.F) {
	f.Add(uint8(0), "application/json", []byte(`{"email": "owner@example.com", "password": "correct-horse-battery", "name": "fuzz"}`))
	f.Add(uint8(1), "application/json; charset=utf-8", []byte(`{"collaborator": {"email": "new@example.com"}}`))
	f.Add(uint8(2), "application/json", []byte(`{"collaborator":{"email":"new@example.com","is_limited":false}}`))
	p := newInProcess(f, 4)
	f.Fuzz(func(t *testing.T, which uint8, contentType string, body []byte) {
		endpoint := apiBodies[int(which)%len(apiBodies)]
		req := p.request(http.MethodPost, endpoint.path, "", string(body), false)
		req.Header.Set("Content-Type", contentType)
		if auth := endpoint.auth(p); auth != "" {
			req.Header.Set("Authorization", auth)
		}
		tokens := countRows(t, p.sql, `SELECT count(*) FROM api_tokens`)
		rows := countRows(t, p.sql, `SELECT count(*) FROM collaborators`)

		rec := p.serve(req)
		expectSafeAnswer(t, "POST "+endpoint.path, rec)
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q, want application/json", ct)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("the answer is not a JSON object: %v\n%s", err, rec.Body)
		}
		if rec.Code >= 400 {
			if message, _ := answer["error"].(string); message == "" {
				t.Fatalf("%d without an error message: %s", rec.Code, rec.Body)
			}
			if countRows(t, p.sql, `SELECT count(*) FROM api_tokens`) != tokens || countRows(t, p.sql, `SELECT count(*) FROM collaborators`) != rows {
				t.Fatalf("a refused request (%d) stored something: %s", rec.Code, rec.Body)
			}
		}
		p.expectValidRows(t)
	})
}

// FuzzAPIAuthorization sends arbitrary Authorization headers ("{token}" stands for the
// owner's real API token, "{jwt}" for their access token, so that the fuzzer works
// around them) to the dbcollab API and to the Scalingo-compatible one. Each answers 200
// to "Bearer" and its own credential, 401 to anything else, the other's credential
// included, never another status. Seeds are in testdata/fuzz/FuzzAPIAuthorization.
func FuzzAPIAuthorization(f *testing.F) {
	for _, seed := range []string{"Bearer {token}", "bearer {token}", "Bearer  {token} ", "Basic {token}", "Bearer",
		"Bearer {jwt}", "BEARER {jwt} ", "Bearer {jwt}.", "Bearer {token}{jwt}"} {
		f.Add(seed)
	}
	p := newInProcess(f, 4)
	token, jwt := strings.TrimPrefix(p.auth, "Bearer "), strings.TrimPrefix(p.access, "Bearer ")
	f.Fuzz(func(t *testing.T, header string) {
		header = strings.NewReplacer("{token}", token, "{jwt}", jwt).Replace(header)
		// RFC 6750: the scheme is case-insensitive; spaces around the token do not count.
		scheme, credential, _ := strings.Cut(header, " ")
		bearer := strings.EqualFold(scheme, "Bearer")
		for path, own := range map[string]string{
			"/v1/databases": token,
			"/v1/apps/" + inProcessDB + "/collaborators": jwt,
		} {
			req := p.request(http.MethodGet, path, "", "", false)
			req.Header["Authorization"] = []string{header}
			rec := p.serve(req)
			expectSafeAnswer(t, "GET "+path, rec)
			valid := bearer && strings.TrimSpace(credential) == own
			switch rec.Code {
			case http.StatusOK:
				if !valid {
					t.Fatalf("GET %s: Authorization %q opened the API", path, header)
				}
			case http.StatusUnauthorized:
				if valid {
					t.Fatalf("GET %s: Authorization %q holds the owner's credential but was refused", path, header)
				}
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer ") {
					t.Fatalf("401 without a Bearer challenge: %q", rec.Header().Get("WWW-Authenticate"))
				}
			default:
				t.Fatalf("GET %s: Authorization %q: %d\n%s", path, header, rec.Code, rec.Body)
			}
		}
	})
}

// FuzzTokenExchangeAuthorization sends arbitrary Authorization headers to the token
// exchange ("{token}" stands for the owner's API token, "{basic}" for it as Basic auth
// credentials). It answers an access token only to Basic auth (the scheme in any case,
// then one space) whose credentials decode to an empty user and the API token; 401 with
// a Basic challenge to anything else. Seeds are in testdata/fuzz/FuzzTokenExchangeAuthorization.
func FuzzTokenExchangeAuthorization(f *testing.F) {
	for _, seed := range []string{"Basic {basic}", "basic {basic}", "Basic  {basic}", "Basic {basic}=", "Bearer {token}",
		"Basic " + base64.StdEncoding.EncodeToString([]byte("user:{token}")), "Basic {token}", "Basic"} {
		f.Add(seed)
	}
	p := newInProcess(f, 4)
	token := strings.TrimPrefix(p.auth, "Bearer ")
	basic := base64.StdEncoding.EncodeToString([]byte(":" + token))
	f.Fuzz(func(t *testing.T, header string) {
		header = strings.NewReplacer("{token}", token, "{basic}", basic).Replace(header)
		req := p.request(http.MethodPost, "/v1/tokens/exchange", "application/json", "{}", false)
		req.Header["Authorization"] = []string{header}
		rec := p.serve(req)
		expectSafeAnswer(t, "POST /v1/tokens/exchange", rec)
		valid := false
		if len(header) >= len("Basic ") && asciiLower(header[:len("Basic ")]) == "basic " {
			decoded, err := base64.StdEncoding.DecodeString(header[len("Basic "):])
			valid = err == nil && string(decoded) == ":"+token
		}
		switch rec.Code {
		case http.StatusOK:
			if !valid {
				t.Fatalf("Authorization %q was exchanged", header)
			}
			var answer struct{ Token string }
			if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || strings.Count(answer.Token, ".") != 2 {
				t.Fatalf("the exchange answered %s", rec.Body)
			}
		case http.StatusUnauthorized:
			if valid {
				t.Fatalf("Authorization %q holds the owner's API token but was refused", header)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != `Basic realm="dbcollab"` {
				t.Fatalf("401 without a Basic challenge: %q", got)
			}
		default:
			t.Fatalf("Authorization %q: %d\n%s", header, rec.Code, rec.Body)
		}
	})
}

// asciiLower lowers ASCII letters only, as HTTP compares auth schemes.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
