package cli

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestCredentialsPrintsYourOwnLoginWithoutPassword(t *testing.T) {
	for _, ref := range []string{demoDatabaseName, demoDatabaseID} {
		t.Run(ref, func(t *testing.T) {
			newTerminal(t)
			f := newFakeAPI(t)
			loginAs(t, f, "user2@example.com")
			wantSuccess(t, run(t, "", "--database", ref, "credentials"), golden(t, "credentials.golden"))
			if calls := f.requests(); !slices.Contains(calls, "GET /v1/databases/db-1f2e/credentials") || slices.Contains(calls, "POST /v1/databases/db-1f2e/credentials") {
				t.Errorf("requests %q: want a GET of the credentials and no reset", calls)
			}
		})
	}
}

func TestCredentialsResetPrintsTheNewPasswordOnce(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user2@example.com")
	got := run(t, "", "--database", demoDatabaseName, "credentials-reset")
	wantSuccess(t, got, golden(t, "credentials-reset.golden"))
	if n := strings.Count(got.stdout, "password-1"); n != 1 {
		t.Errorf("the password is printed %d times", n)
	}
	if !slices.Contains(f.requests(), "POST /v1/databases/db-1f2e/credentials") {
		t.Errorf("no reset asked: %q", f.requests())
	}
	// Showing them again never shows a password.
	if again := run(t, "", "--database", demoDatabaseName, "credentials"); strings.Contains(again.stdout, "Password") {
		t.Errorf("credentials shows a password:\n%s", again.stdout)
	}
}

func TestCredentialsRefusalsSayWhy(t *testing.T) {
	refuse := func(status int, message string) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/credentials") {
				return false
			}
			writeError(w, status, message)
			return true
		}
	}
	tests := []struct {
		name   string
		as     string
		args   []string
		answer func(w http.ResponseWriter, r *http.Request) bool
		stderr string
	}{
		{name: "database one may not see", as: "user4@example.com", args: []string{"--database", "my-dedicated-db", "credentials"},
			stderr: " !     Database my-dedicated-db not found\n"},
		{name: "database one may not reset on", as: "user4@example.com", args: []string{"--database", "db-1f2e", "credentials-reset"},
			stderr: " !     Database db-1f2e not found\n"},
		{name: "access being granted", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "credentials"},
			answer: refuse(http.StatusConflict, "Your access to my-dedicated-db is still being granted: try again in a moment"),
			stderr: " !     Your access to my-dedicated-db is still being granted: try again in a moment\n"},
		{name: "no server attached", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "credentials-reset"},
			answer: refuse(http.StatusServiceUnavailable, "No PostgreSQL server is attached to this dashboard"),
			stderr: " !     No PostgreSQL server is attached to this dashboard\n"},
		{name: "server down", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "credentials-reset"},
			answer: refuse(http.StatusServiceUnavailable, "The PostgreSQL server cannot be reached: try again in a moment"),
			stderr: " !     The PostgreSQL server cannot be reached: try again in a moment\n"},
		{name: "503 of another server", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "credentials"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/credentials") {
					return false
				}
				http.Error(w, "upstream down", http.StatusServiceUnavailable)
				return true
			},
			stderr: " !     Unexpected answer from the API: 503 Service Unavailable: upstream down\n"},
		{name: "reset without password", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "credentials-reset"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost {
					return false
				}
				writeJSON(w, http.StatusCreated, map[string]any{"username": "user2", "credentials": map[string]any{
					"host": "h", "port": 5432, "database": "d", "user": "u", "uri": "postgresql://u@h:5432/d"}})
				return true
			},
			stderr: " !     Unexpected answer from the API: 201 Created: the answer has no \"password\"\n"},
		{name: "JSON of another shape", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "credentials"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/credentials") {
					return false
				}
				writeJSON(w, http.StatusOK, map[string]any{"host": "h"})
				return true
			},
			stderr: " !     Unexpected answer from the API: 200 OK: the answer has no \"credentials\" with \"host\", \"port\", \"database\", \"user\" and \"uri\", or no \"username\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newTerminal(t)
			f := newFakeAPI(t)
			loginAs(t, f, tt.as)
			f.answerWith(tt.answer)
			wantFailure(t, run(t, "", tt.args...), 1, tt.stderr)
		})
	}
}

func TestCredentialsUsage(t *testing.T) {
	for _, command := range []string{"credentials", "credentials-reset"} {
		t.Run(command, func(t *testing.T) {
			newTerminal(t)
			got := run(t, "", "--database", "db", command, "extra")
			if got.code != 2 || !strings.Contains(got.stderr, "dbcollab --database NAME-OR-ID "+command+"\n") ||
				!strings.HasSuffix(got.stderr, " !     Unexpected argument: extra\n") {
				t.Errorf("exit %d, stderr:\n%s", got.code, got.stderr)
			}
			got = run(t, "", command)
			if got.code != 2 || got.stderr != " !     No database given: use --database NAME-OR-ID, or set DBCOLLAB_DATABASE\n" {
				t.Errorf("without a database: exit %d, stderr:\n%s", got.code, got.stderr)
			}
			help := run(t, "", command, "--help")
			if help.code != 0 || !strings.Contains(help.stdout, "USAGE:\n   dbcollab --database NAME-OR-ID "+command+"\n") {
				t.Errorf("help: exit %d:\n%s", help.code, help.stdout)
			}
		})
	}
	got := run(t, "", "help")
	for _, name := range []string{"credentials ", "credentials-reset"} {
		if !strings.Contains(got.stdout, name) {
			t.Errorf("help does not list %s:\n%s", name, got.stdout)
		}
	}
}
