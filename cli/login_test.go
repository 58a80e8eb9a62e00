package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// storedCredentials reads auth.json and checks it and its directory are private.
func storedCredentials(t *testing.T) Credentials {
	t.Helper()
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700 | fs.ModeDir} {
		if info, err := os.Stat(p); err != nil || info.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, info.Mode(), want, err)
		}
	}
	var c Credentials
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("auth.json: %v\n%s", err, data)
	}
	return c
}

func noCredentialsStored(t *testing.T) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab"))
	if len(entries) > 0 {
		t.Errorf("files left in the config directory: %v", entries)
	}
}

func TestLoginWithThePasswordOnStdinKeepsAToken(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	got := run(t, "demo-password\n", "login", "--api-url", f.URL+"/", "--email", "user1@example.com")
	wantSuccess(t, got, "-----> Logged in as user1@example.com on "+f.URL+" (token kept in "+path+")\n")
	if c := storedCredentials(t); c != (Credentials{APIURL: f.URL, Token: "token-user1"}) {
		t.Errorf("stored %+v", c)
	}
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators"), golden(t, "collaborators.golden"))
}

func TestLoginAgainReplacesTheStoredToken(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	run(t, "demo-password", "login", "--api-url", f.URL, "--email", "user1@example.com")
	got := run(t, "demo-password\r\n", "login", "--api-url", f.URL, "--email", "user2@example.com")
	if got.code != 0 {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	if c := storedCredentials(t); c.Token != "token-user2" {
		t.Errorf("stored %+v", c)
	}
	entries, _ := os.ReadDir(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab"))
	if len(entries) != 1 {
		t.Errorf("the config directory should hold auth.json alone: %v", entries)
	}
}

func TestLoginTakesTheAPIURLFromTheEnvironment(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	t.Setenv("DBCOLLAB_API_URL", f.URL)
	if got := run(t, "demo-password", "login", "--email", "user1@example.com"); got.code != 0 {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	if c := storedCredentials(t); c.APIURL != f.URL {
		t.Errorf("stored %+v", c)
	}
}

func TestLoginWithAnAPITokenChecksItBeforeKeepingIt(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	token := f.tokenFor("user4@example.com")
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	wantSuccess(t, run(t, " "+token+"\n", "login", "--api-url", f.URL, "--api-token", "-"),
		"-----> Logged in on "+f.URL+" with the API token (kept in "+path+")\n")
	if c := storedCredentials(t); c != (Credentials{APIURL: f.URL, Token: token}) {
		t.Errorf("stored %+v", c)
	}
}

// A token given as an argument is in /proc/PID/cmdline for every user of the machine
// to read: it still works (scripts rely on it), with a warning.
func TestLoginWithAnAPITokenOnTheCommandLineWarnsItIsVisible(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	token := f.tokenFor("user4@example.com")
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	got := run(t, "", "login", "--api-url", f.URL, "--api-token", token)
	if want := "-----> Logged in on " + f.URL + " with the API token (kept in " + path + ")\n"; got.code != 0 || got.stdout != want {
		t.Fatalf("exit %d, stdout %q, want %q", got.code, got.stdout, want)
	}
	if want := " !     Warning: a token on the command line can be read by other users of this machine; " +
		"next time pipe it to dbcollab login --api-token -, or set DBCOLLAB_API_TOKEN\n"; got.stderr != want {
		t.Errorf("stderr %q, want %q", got.stderr, want)
	}
	if c := storedCredentials(t); c.Token != token {
		t.Errorf("stored %+v", c)
	}
}

func TestLoginWithAnAPITokenHelpSaysToPreferStandardInputOrTheEnvironment(t *testing.T) {
	newTerminal(t)
	got := run(t, "", "login", "--help")
	for _, want := range []string{
		"dbcollab login [--api-url URL] --api-token -    (token from stdin, or prompted in a terminal)",
		"can be read by other users of the machine in the\n   process list (ps, /proc/PID/cmdline). Prefer --api-token - and the token on standard\n   input, or no login at all: set DBCOLLAB_API_TOKEN",
		"- reads it from standard input (prefer it, or DBCOLLAB_API_TOKEN",
	} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("login --help does not say %q:\n%s", want, got.stdout)
		}
	}
}

func TestLoginThrottledSaysHowLongToWait(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	const message = "Too many failed log-in attempts; try again in 4 seconds"
	f.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "4")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"error": %q}`, message)
		return true
	})
	got := run(t, "demo-password\n", "login", "--api-url", f.URL, "--email", "user1@example.com")
	wantFailure(t, got, 1, " !     "+message+"\n")
	noCredentialsStored(t)
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name   string
		stdin  string
		args   []string
		stderr string
	}{
		{"wrong password", "not-the-password\n", []string{"--email", "user1@example.com"},
			" !     Wrong e-mail or password\n"},
		{"unknown account", "demo-password\n", []string{"--email", "nobody@example.com"},
			" !     Wrong e-mail or password\n"},
		{"no password on stdin", "", []string{"--email", "user1@example.com"},
			" !     No password on standard input: pipe it in, or run dbcollab login in a terminal to be prompted\n"},
		{"unknown API token", "", []string{"--api-token", "made-up"},
			" !     The API token was refused by URL\n"},
		{"unknown API token on stdin", "made-up\n", []string{"--api-token", "-"},
			" !     The API token was refused by URL\n"},
		{"no API token on stdin", "\n", []string{"--api-token", "-"},
			" !     No API token on standard input: pipe it in, or run dbcollab login in a terminal to be prompted\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newTerminal(t)
			f := newFakeAPI(t)
			got := run(t, tt.stdin, append([]string{"login", "--api-url", f.URL}, tt.args...)...)
			wantFailure(t, got, 1, strings.ReplaceAll(tt.stderr, "URL", f.URL))
			noCredentialsStored(t)
		})
	}

	t.Run("server unreachable", func(t *testing.T) {
		newTerminal(t)
		url := closedURL(t)
		got := run(t, "demo-password", "login", "--api-url", url, "--email", "user1@example.com")
		if got.code != 1 || !strings.HasPrefix(got.stderr, " !     Could not reach the API at "+url+": ") {
			t.Errorf("exit %d, stderr %q", got.code, got.stderr)
		}
		noCredentialsStored(t)
	})
}

func TestLogoutRevokesTheTokenThenForgetsIt(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	token := storedCredentials(t).Token
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	wantSuccess(t, run(t, "", "logout"), "-----> Logged out: deleted "+path+"\n")
	if f.valid(token) {
		t.Error("the token still works after logout")
	}
	if !slices.Contains(f.requests(), "DELETE /v1/tokens/current") {
		t.Errorf("no DELETE /v1/tokens/current in %q", f.requests())
	}
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators"), 1,
		" !     You are not logged in: run dbcollab login --email YOUR-EMAIL\n")
	wantSuccess(t, run(t, "", "logout"), "-----> Already logged out: there is no "+path+"\n")
}

// A token the server already refuses (revoked on the dashboard, expired) is forgotten
// as a revoked one is.
func TestLogoutOfATokenTheServerRefusesForgetsIt(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	if _, err := saveCredentials(Credentials{APIURL: f.URL, Token: "revoked-on-the-dashboard"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	wantSuccess(t, run(t, "", "logout"), "-----> Logged out: deleted "+path+"\n")
	noCredentialsStored(t)
}

// Without an answer, logout cannot know the token is revoked: it keeps auth.json and
// says how to go on; --local-only deletes it anyway, and says the token still works.
func TestLogoutWithoutTheServerKeepsTheTokenUnlessLocalOnly(t *testing.T) {
	path := func() string { return filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json") }
	kept := func(t *testing.T) {
		t.Helper()
		if _, err := os.Stat(path()); err != nil {
			t.Fatalf("auth.json was not kept: %v", err)
		}
	}
	next := "\n !     The API token was not revoked and PATH was kept: run dbcollab logout again once the server answers,\n" +
		" !     or dbcollab logout --local-only to delete it anyway (then revoke the token on the dashboard's account page)\n"

	t.Run("unreachable", func(t *testing.T) {
		newTerminal(t)
		url := closedURL(t)
		if _, err := saveCredentials(Credentials{APIURL: url, Token: "t"}); err != nil {
			t.Fatal(err)
		}
		wantFailure(t, run(t, "", "logout"), 1, " !     Could not reach the API at "+url+": dial tcp "+
			strings.TrimPrefix(url, "http://")+": connect: connection refused"+strings.ReplaceAll(next, "PATH", path()))
		kept(t)

		got := run(t, "", "logout", "--local-only")
		if want := "-----> Logged out: deleted " + path() + "\n"; got.code != 0 || got.stdout != want {
			t.Errorf("exit %d, stdout %q, want %q", got.code, got.stdout, want)
		}
		if want := " !     The API token was not revoked: it works until you revoke it on the dashboard's account page\n"; got.stderr != want {
			t.Errorf("stderr %q, want %q", got.stderr, want)
		}
		noCredentialsStored(t)
	})
	t.Run("unexpected answer", func(t *testing.T) {
		newTerminal(t)
		f := newFakeAPI(t)
		loginAs(t, f, "user1@example.com")
		f.answerWith(func(w http.ResponseWriter, _ *http.Request) bool {
			http.Error(w, "upstream connect error", http.StatusBadGateway)
			return true
		})
		wantFailure(t, run(t, "", "logout"), 1, " !     Unexpected answer from the API: 502 Bad Gateway: upstream connect error"+
			strings.ReplaceAll(next, "PATH", path()))
		kept(t)
	})
}

// DBCOLLAB_API_TOKEN is the environment's, not login's: logout revokes auth.json's token only.
func TestLogoutLeavesTheEnvironmentsTokenAlone(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	stored := storedCredentials(t).Token
	env := f.tokenFor("user2@example.com")
	t.Setenv("DBCOLLAB_API_TOKEN", env)
	if got := run(t, "", "logout"); got.code != 0 {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	if f.valid(stored) || !f.valid(env) {
		t.Errorf("auth.json's token works: %v, the environment's: %v; want false, true", f.valid(stored), f.valid(env))
	}
}
