package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// apiBodies are the API endpoints that read a JSON body, and whether they need the
// owner's token.
var apiBodies = []struct {
	path   string
	signed bool
}{
	{"/v1/tokens", false},
	{"/v1/databases/" + inProcessDB + "/collaborators", true},
}

// FuzzAPIJSON sends arbitrary bodies, under an arbitrary Content-Type, to the API
// endpoints that read JSON. Whatever they are: no 5xx, the answer is JSON, a refusal is
// {"error": "..."} and stores nothing, and what a success stored is valid. Seeds are in
// testdata/fuzz/FuzzAPIJSON.
func FuzzAPIJSON(f *testing.F) {
	f.Add(uint8(0), "application/json", []byte(`{"email": "owner@example.com", "password": "correct-horse-battery", "name": "fuzz"}`))
	f.Add(uint8(1), "application/json; charset=utf-8", []byte(`{"collaborator": {"email": "new@example.com"}}`))
	p := newInProcess(f, 4)
	f.Fuzz(func(t *testing.T, which uint8, contentType string, body []byte) {
		endpoint := apiBodies[int(which)%len(apiBodies)]
		req := p.request(http.MethodPost, endpoint.path, "", string(body), false)
		req.Header.Set("Content-Type", contentType)
		if endpoint.signed {
			req.Header.Set("Authorization", p.auth)
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
// owner's real token, so that the fuzzer works around it). The API answers 200 to
// "Bearer" and the owner's token, 401 to anything else, never another status. Seeds are in
// testdata/fuzz/FuzzAPIAuthorization.
func FuzzAPIAuthorization(f *testing.F) {
	for _, seed := range []string{"Bearer {token}", "bearer {token}", "Bearer  {token} ", "Basic {token}", "Bearer"} {
		f.Add(seed)
	}
	p := newInProcess(f, 4)
	token := strings.TrimPrefix(p.auth, "Bearer ")
	f.Fuzz(func(t *testing.T, header string) {
		header = strings.ReplaceAll(header, "{token}", token)
		req := p.request(http.MethodGet, "/v1/databases", "", "", false)
		req.Header["Authorization"] = []string{header}
		rec := p.serve(req)
		expectSafeAnswer(t, "GET /v1/databases", rec)
		// RFC 6750: the scheme is case-insensitive; spaces around the token do not count.
		scheme, credential, _ := strings.Cut(header, " ")
		valid := strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(credential) == token
		switch rec.Code {
		case http.StatusOK:
			if !valid {
				t.Fatalf("Authorization %q opened the API", header)
			}
		case http.StatusUnauthorized:
			if valid {
				t.Fatalf("Authorization %q holds the owner's token but was refused", header)
			}
			if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer ") {
				t.Fatalf("401 without a Bearer challenge: %q", rec.Header().Get("WWW-Authenticate"))
			}
		default:
			t.Fatalf("Authorization %q: %d\n%s", header, rec.Code, rec.Body)
		}
	})
}
