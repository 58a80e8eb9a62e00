package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// Every body the API reads is refused before anything is stored when it is not JSON,
// too large or malformed.
func TestAPIRefusesBadBodiesAndStoresNothing(t *testing.T) {
	w := newAPIWorld(t)
	invite := `{"collaborator": {"email": "new@example.com"}}`
	login := `{"email": "user1@example.com", "password": "demo-password"}`
	for _, endpoint := range []struct{ path, auth, valid string }{
		{w.collaboratorsPath(""), w.auth["owner"], invite},
		{"/v1/tokens", "", login},
		// The Scalingo-compatible invite: the same limits.
		{"/v1/apps/my-dedicated-db/collaborators", w.exchange(t, "owner"), `{"collaborator": {"email": "new@example.com", "is_limited": false}}`},
	} {
		cases := []struct {
			name, contentType, body string
			status                  int
			message                 string
		}{
			{"no content type", "", endpoint.valid, http.StatusUnsupportedMediaType, "Send the request body as JSON, with Content-Type: application/json"},
			{"form", "application/x-www-form-urlencoded", "email=new%40example.com", http.StatusUnsupportedMediaType, "Send the request body as JSON, with Content-Type: application/json"},
			{"text", "text/plain", endpoint.valid, http.StatusUnsupportedMediaType, "Send the request body as JSON, with Content-Type: application/json"},
			{"over 64 KB", "application/json", endpoint.valid + strings.Repeat(" ", 64<<10), http.StatusRequestEntityTooLarge, "The request body is over 64 KB"},
			{"empty", "application/json", "", http.StatusBadRequest, "Malformed JSON: unexpected end of JSON input"},
			{"truncated", "application/json", endpoint.valid[:len(endpoint.valid)-1], http.StatusBadRequest, "Malformed JSON: unexpected end of JSON input"},
			{"trailing data", "application/json", endpoint.valid + "{}", http.StatusBadRequest, "Malformed JSON: invalid character '{' after top-level value"},
			{"array", "application/json", "[" + endpoint.valid + "]", http.StatusBadRequest, "The request body must be a JSON object"},
			{"string", "application/json", `"new@example.com"`, http.StatusBadRequest, "The request body must be a JSON object"},
		}
		for _, c := range cases {
			t.Run(endpoint.path+"/"+c.name, func(t *testing.T) {
				before := w.stored()
				w.request(http.MethodPost, endpoint.path, endpoint.auth, c.contentType, c.body).expectError(t, c.status, c.message)
				w.expectNothingStored(t, before)
			})
		}
	}
	t.Run("wrong type", func(t *testing.T) {
		before := w.stored()
		w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": {"email": ["new@example.com"]}}`).
			expectError(t, http.StatusBadRequest, "Malformed JSON: collaborator.email must be a string")
		w.post("/v1/tokens", "", `{"email": "user1@example.com", "password": 12345678}`).
			expectError(t, http.StatusBadRequest, "Malformed JSON: password must be a string")
		w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": "new@example.com"}`).
			expectError(t, http.StatusBadRequest, "Malformed JSON: collaborator must be an object")
		w.expectNothingStored(t, before)
	})
	t.Run("JSON with a charset", func(t *testing.T) {
		w.request(http.MethodPost, w.collaboratorsPath(""), w.auth["owner"], "application/json; charset=utf-8", invite).
			expect(t, http.StatusCreated)
	})
	t.Run("exactly 64 KB", func(t *testing.T) {
		body := `{"email": "user1@example.com", "password": "demo-password"}`
		body += strings.Repeat(" ", 64<<10-len(body))
		w.post("/v1/tokens", "", body).expect(t, http.StatusCreated)
	})
}
