package cli

import (
	"net/http"
	"strings"
	"testing"
)

// withPassword is url (http://host:port) with a user and password in it.
func withPassword(url string) string {
	return strings.Replace(url, "://", "://admin:s3cret@", 1)
}

// wantNoPassword fails if a run printed the password of withPassword anywhere.
func wantNoPassword(t *testing.T, got result) {
	t.Helper()
	if strings.Contains(got.stdout+got.stderr, "s3cret") || strings.Contains(got.stdout+got.stderr, "admin") {
		t.Errorf("the URL's user or password was printed:\nstdout: %s\nstderr: %s", got.stdout, got.stderr)
	}
}

func TestURLsArePrintedWithoutTheirUserAndPassword(t *testing.T) {
	t.Run("logged in", func(t *testing.T) {
		newTerminal(t)
		f := newFakeAPI(t)
		got := run(t, "demo-password\n", "login", "--api-url", withPassword(f.URL), "--email", "user1@example.com")
		wantNoPassword(t, got)
		if !strings.HasPrefix(got.stdout, "-----> Logged in as user1@example.com on "+f.URL+" (token kept in ") {
			t.Errorf("stdout %q", got.stdout)
		}
		got = run(t, "", "login", "--api-url", withPassword(f.URL), "--api-token", f.tokenFor("user2@example.com"))
		wantNoPassword(t, got)
		if !strings.HasPrefix(got.stdout, "-----> Logged in on "+f.URL+" with the API token (kept in ") {
			t.Errorf("stdout %q", got.stdout)
		}
	})
	t.Run("token refused", func(t *testing.T) {
		newTerminal(t)
		f := newFakeAPI(t)
		got := run(t, "", "login", "--api-url", withPassword(f.URL), "--api-token", "made-up")
		wantNoPassword(t, got)
		if !strings.HasSuffix(got.stderr, " !     The API token was refused by "+f.URL+"\n") {
			t.Errorf("stderr %q", got.stderr)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		newTerminal(t)
		url := closedURL(t)
		t.Setenv("DBCOLLAB_API_URL", withPassword(url))
		t.Setenv("DBCOLLAB_API_TOKEN", "t")
		got := run(t, "", "--database", demoDatabaseName, "collaborators")
		wantNoPassword(t, got)
		if !strings.HasPrefix(got.stderr, " !     Could not reach the API at "+url+": ") {
			t.Errorf("stderr %q", got.stderr)
		}
	})
	t.Run("redirected", func(t *testing.T) {
		newTerminal(t)
		f := newFakeAPI(t)
		loginAs(t, f, "user1@example.com")
		f.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, "http://admin:s3cret@elsewhere.example/login", http.StatusFound)
			return true
		})
		got := run(t, "", "--database", demoDatabaseName, "collaborators")
		wantNoPassword(t, got)
		wantFailure(t, got, 1, " !     Unexpected answer from the API: 302 Found: redirected to http://elsewhere.example/login\n")
	})
	for raw, message := range map[string]string{
		"ftp://admin:s3cret@example.com":   `The API URL must be an http:// or https:// URL, like http://localhost:8080, not "ftp://example.com"`,
		"admin:s3cret@example.com:8080":    "The API URL must be an http:// or https:// URL, like http://localhost:8080",
		"http://admin:s3cret@[::1":         "The API URL must be an http:// or https:// URL, like http://localhost:8080",
		"http://admin:s3cret@/no-host/v1/": "The API URL must be an http:// or https:// URL, like http://localhost:8080, not \"http:///no-host/v1/\"",
	} {
		t.Run("invalid "+raw, func(t *testing.T) {
			newTerminal(t)
			got := run(t, "", "login", "--api-url", raw, "--email", "user1@example.com")
			wantNoPassword(t, got)
			if !strings.HasSuffix(got.stderr, " !     "+message+"\n") {
				t.Errorf("stderr does not end with %q:\n%s", message, got.stderr)
			}
		})
	}
}
