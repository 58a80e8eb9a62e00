package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	urfave "github.com/urfave/cli/v3"
)

// result is what a run of the command line left: its output streams and exit status.
type result struct {
	stdout, stderr string
	code           int
}

// newTerminal gives the test a user of its own: empty config and home directories, and
// none of the DBCOLLAB_ variables of whoever runs the tests.
func newTerminal(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	for _, name := range []string{"DBCOLLAB_API_URL", "DBCOLLAB_API_TOKEN", "DBCOLLAB_DATABASE"} {
		t.Setenv(name, "")
	}
}

// run runs the command line with main's root command set-up, stdin as standard input.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := &urfave.Command{
		Name:           "dbcollab",
		Flags:          []urfave.Flag{DatabaseFlag()},
		Commands:       Commands(),
		Action:         RootAction,
		OnUsageError:   OnUsageError,
		ExitErrHandler: func(context.Context, *urfave.Command, error) {},
		Reader:         strings.NewReader(stdin),
		Writer:         &stdout,
		ErrWriter:      &stderr,
	}
	err := root.Run(t.Context(), append([]string{"dbcollab"}, args...))
	code := ExitCode(&stderr, err)
	return result{stdout.String(), stderr.String(), code}
}

// loginAs stores credentials for email on the fake, as login would.
func loginAs(t *testing.T, f *fakeAPI, email string) {
	t.Helper()
	if _, err := saveCredentials(Credentials{APIURL: f.URL, Token: f.tokenFor(email)}); err != nil {
		t.Fatal(err)
	}
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantSuccess checks a run printed exactly stdout, nothing on stderr, and exited 0.
func wantSuccess(t *testing.T, got result, stdout string) {
	t.Helper()
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", got.code, got.stderr)
	}
	if got.stdout != stdout {
		t.Fatalf("stdout:\n%s\nwant:\n%s", got.stdout, stdout)
	}
}

// wantFailure checks a run printed exactly stderr, nothing on stdout, and exited code.
func wantFailure(t *testing.T, got result, code int, stderr string) {
	t.Helper()
	if got.code != code {
		t.Errorf("exit status %d, want %d", got.code, code)
	}
	if got.stdout != "" {
		t.Errorf("stdout should be empty on an error, got:\n%s", got.stdout)
	}
	if got.stderr != stderr {
		t.Errorf("stderr:\n%q\nwant:\n%q", got.stderr, stderr)
	}
}

func TestCollaboratorsPrintsTheReferenceTable(t *testing.T) {
	for _, ref := range []string{demoDatabaseName, demoDatabaseID} {
		t.Run(ref, func(t *testing.T) {
			newTerminal(t)
			f := newFakeAPI(t)
			loginAs(t, f, "user2@example.com")
			wantSuccess(t, run(t, "", "--database", ref, "collaborators"), golden(t, "collaborators.golden"))
		})
	}
}

func TestDatabaseEnvironmentVariableStandsForTheFlag(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	t.Setenv("DBCOLLAB_DATABASE", demoDatabaseName)
	wantSuccess(t, run(t, "", "collaborators"), golden(t, "collaborators.golden"))
}

func TestCollaboratorsAddNamesTheDatabaseEvenWhenGivenItsID(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	wantSuccess(t, run(t, "", "--database", demoDatabaseID, "collaborators-add", "user@example.com"), golden(t, "invited.golden"))
	list := run(t, "", "--database", demoDatabaseName, "collaborators")
	if !strings.Contains(list.stdout, "│ user@example.com  │ n/a      │ pending  │ collaborator │") {
		t.Errorf("the invitation is not listed as pending:\n%s", list.stdout)
	}
}

func TestCollaboratorsAddPrintsTheAddressAsStored(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-add", " User@Example.COM"), golden(t, "invited.golden"))
}

func TestCollaboratorsRemoveRevokesTheRowWithThatAddress(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	run(t, "", "--database", demoDatabaseName, "collaborators-add", "user@example.com")
	wantSuccess(t, run(t, "", "--database", demoDatabaseID, "collaborators-remove", "USER@example.com"), golden(t, "removed.golden"))
	if !slices.Contains(f.requests(), "DELETE /v1/databases/db-1f2e/collaborators/4") {
		t.Errorf("no DELETE of row 4 by the database's ID in %q", f.requests())
	}
}

func TestCollaboratorsRemoveCancelsAPendingInvitation(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user2@example.com")
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "user3@example.com"),
		"-----> user3@example.com has been removed from the collaborators of my-dedicated-db\n")
}

func TestCollaboratorsRemoveOfOwnAddressLeavesTheDatabase(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user2@example.com")
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "user2@example.com"),
		"-----> user2@example.com has been removed from the collaborators of my-dedicated-db\n")
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators"), 1, " !     Database my-dedicated-db not found\n")
}

func TestStoredCredentialsGiveWayToTheEnvironment(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	if _, err := saveCredentials(Credentials{APIURL: "http://127.0.0.1:1", Token: "stale"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DBCOLLAB_API_URL", f.URL)
	t.Setenv("DBCOLLAB_API_TOKEN", f.tokenFor("user1@example.com"))
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators"), golden(t, "collaborators.golden"))
}

func TestEnvironmentAloneIsEnoughToBeLoggedIn(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	t.Setenv("DBCOLLAB_API_URL", f.URL)
	t.Setenv("DBCOLLAB_API_TOKEN", f.tokenFor("user1@example.com"))
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators"), golden(t, "collaborators.golden"))
}

// closedURL is the URL of a port nothing listens on any more.
func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

func TestErrorsSayWhatWentWrongOnStderrAndExit1(t *testing.T) {
	unreachable := closedURL(t)
	tests := []struct {
		name   string
		as     string // who is logged in; empty for nobody
		args   []string
		answer func(w http.ResponseWriter, r *http.Request) bool
		stderr string
		// noDelete: the command must not have revoked anything.
		noDelete bool
	}{
		{name: "not logged in", args: []string{"--database", "my-dedicated-db", "collaborators"},
			stderr: " !     You are not logged in: run dbcollab login --email YOUR-EMAIL\n"},
		{name: "unknown database", as: "user1@example.com", args: []string{"--database", "nope", "collaborators"},
			stderr: " !     Database nope not found\n"},
		{name: "database one may not see, listed", as: "user4@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			stderr: " !     Database my-dedicated-db not found\n"},
		{name: "database one may not see, invited to", as: "user4@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "x@example.com"},
			stderr: " !     Database my-dedicated-db not found\n"},
		{name: "database one may not see, removed from", as: "user4@example.com", args: []string{"--database", "db-1f2e", "collaborators-remove", "user2@example.com"},
			stderr: " !     Database db-1f2e not found\n", noDelete: true},
		{name: "not a collaborator", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-remove", "nobody@example.com"},
			stderr: " !     nobody@example.com is not a collaborator of my-dedicated-db\n", noDelete: true},
		{name: "already a collaborator", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "user2@example.com"},
			stderr: " !     user2@example.com is already accepted on my-dedicated-db\n"},
		{name: "already invited", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "user3@example.com"},
			stderr: " !     user3@example.com is already pending on my-dedicated-db\n"},
		{name: "invalid address", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "not-an-email"},
			stderr: " !     not-an-email is not a valid e-mail address\n"},
		{name: "the owner", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-remove", "user1@example.com"},
			stderr: " !     The owner's access cannot be revoked\n"},
		{name: "row gone before the DELETE", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-remove", "user3@example.com"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodDelete {
					return false
				}
				writeError(w, http.StatusNotFound, "Collaborator 3 not found")
				return true
			},
			stderr: " !     user3@example.com is not a collaborator of my-dedicated-db\n"},
		{name: "token refused", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			answer: func(w http.ResponseWriter, _ *http.Request) bool {
				writeError(w, http.StatusUnauthorized, "Invalid API token")
				return true
			},
			stderr: " !     Your API token was refused: log in again with dbcollab login\n"},
		{name: "server error", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "x@example.com"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				writeError(w, http.StatusInternalServerError, "The server could not answer")
				return true
			},
			stderr: " !     Unexpected answer from the API: 500 Internal Server Error: The server could not answer\n"},
		{name: "not the API: a web page", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			answer: func(w http.ResponseWriter, _ *http.Request) bool {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusNotFound)
				w.Write([]byte("<!doctype html>\n<title>Page &amp; not found</title>"))
				return true
			},
			stderr: " !     Unexpected answer from the API: 404 Not Found: a web page titled \"Page & not found\"\n"},
		{name: "not the API: some text", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			answer: func(w http.ResponseWriter, _ *http.Request) bool {
				http.Error(w, "upstream connect error\nor disconnect", http.StatusBadGateway)
				return true
			},
			stderr: " !     Unexpected answer from the API: 502 Bad Gateway: upstream connect error\n"},
		{name: "not the API: a redirect", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return true
			},
			stderr: " !     Unexpected answer from the API: 303 See Other: redirected to /login\n"},
		{name: "not the API: 200 without JSON", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			answer: func(w http.ResponseWriter, _ *http.Request) bool {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<p>hello</p>"))
				return true
			},
			stderr: " !     Unexpected answer from the API: 200 OK: the answer is not JSON but text/html; charset=utf-8\n"},
		{name: "JSON of another shape", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			answer: func(w http.ResponseWriter, _ *http.Request) bool {
				writeJSON(w, http.StatusOK, map[string]any{"members": []string{}})
				return true
			},
			stderr: " !     Unexpected answer from the API: 200 OK: the answer has no \"collaborators\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newTerminal(t)
			f := newFakeAPI(t)
			if tt.as != "" {
				loginAs(t, f, tt.as)
			}
			f.answerWith(tt.answer)
			wantFailure(t, run(t, "", tt.args...), 1, tt.stderr)
			if tt.noDelete {
				for _, call := range f.requests() {
					if strings.HasPrefix(call, "DELETE ") {
						t.Errorf("revoked something: %s", call)
					}
				}
			}
		})
	}

	t.Run("server unreachable", func(t *testing.T) {
		newTerminal(t)
		if _, err := saveCredentials(Credentials{APIURL: unreachable, Token: "t"}); err != nil {
			t.Fatal(err)
		}
		got := run(t, "", "--database", "my-dedicated-db", "collaborators")
		want := " !     Could not reach the API at " + unreachable + ": dial tcp " + strings.TrimPrefix(unreachable, "http://") + ": connect: connection refused\n"
		wantFailure(t, got, 1, want)
	})
}

func TestUsageErrorsPrintTheCommandsUsageAndExit2(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		usage string // a line of the command's help, on stderr; empty when no help is due
		last  string // the last line of stderr
	}{
		{"missing e-mail to add", []string{"--database", "db", "collaborators-add"},
			"dbcollab --database NAME-OR-ID collaborators-add EMAIL", " !     Missing argument: EMAIL"},
		{"missing e-mail to remove", []string{"--database", "db", "collaborators-remove"},
			"dbcollab --database NAME-OR-ID collaborators-remove EMAIL", " !     Missing argument: EMAIL"},
		{"extra argument to add", []string{"--database", "db", "collaborators-add", "a@example.com", "b@example.com"},
			"dbcollab --database NAME-OR-ID collaborators-add EMAIL", " !     Unexpected argument: b@example.com"},
		{"extra argument to remove", []string{"--database", "db", "collaborators-remove", "a@example.com", "b@example.com"},
			"dbcollab --database NAME-OR-ID collaborators-remove EMAIL", " !     Unexpected argument: b@example.com"},
		{"argument to list", []string{"--database", "db", "collaborators", "extra"},
			"dbcollab --database NAME-OR-ID collaborators", " !     Unexpected argument: extra"},
		{"argument to logout", []string{"logout", "now"},
			"dbcollab logout", " !     Unexpected argument: now"},
		{"unknown flag", []string{"collaborators", "--nope"},
			"dbcollab --database NAME-OR-ID collaborators", " !     flag provided but not defined: -nope"},
		{"unknown command", []string{"collaborator"},
			"collaborators-remove", ` !     Unknown command "collaborator": dbcollab help lists the commands`},
		{"help on an unknown command", []string{"help", "collaborator"},
			"", " !     No help topic for 'collaborator'"},
		{"missing database to list", []string{"collaborators"},
			"", " !     No database given: use --database NAME-OR-ID, or set DBCOLLAB_DATABASE"},
		{"missing database to add", []string{"collaborators-add", "a@example.com"},
			"", " !     No database given: use --database NAME-OR-ID, or set DBCOLLAB_DATABASE"},
		{"missing database to remove", []string{"collaborators-remove", "a@example.com"},
			"", " !     No database given: use --database NAME-OR-ID, or set DBCOLLAB_DATABASE"},
		{"login without e-mail or token", []string{"login"},
			"dbcollab login [--api-url URL] --email EMAIL", " !     Missing --email (or --api-token)"},
		{"login with e-mail and token", []string{"login", "--email", "a@example.com", "--api-token", "t"},
			"dbcollab login [--api-url URL] --api-token TOKEN", " !     Give either --email or --api-token, not both"},
		{"login to a URL that is not http", []string{"login", "--api-url", "localhost:8080", "--email", "a@example.com"},
			"dbcollab login [--api-url URL] --email EMAIL", ` !     The API URL must be an http:// or https:// URL, like http://localhost:8080, not "localhost:8080"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newTerminal(t)
			got := run(t, "", tt.args...)
			if got.code != 2 {
				t.Errorf("exit status %d, want 2", got.code)
			}
			if got.stdout != "" {
				t.Errorf("stdout should be empty, got:\n%s", got.stdout)
			}
			if !strings.HasSuffix(got.stderr, "\n"+tt.last+"\n") && got.stderr != tt.last+"\n" {
				t.Errorf("stderr does not end with %q:\n%s", tt.last, got.stderr)
			}
			if tt.usage == "" && got.stderr != tt.last+"\n" {
				t.Errorf("stderr should be the message alone:\n%s", got.stderr)
			}
			if tt.usage != "" && (!strings.Contains(got.stderr, "USAGE:\n") || !strings.Contains(got.stderr, tt.usage)) {
				t.Errorf("stderr has no usage with %q:\n%s", tt.usage, got.stderr)
			}
		})
	}
}

func TestHelpListsTheCommands(t *testing.T) {
	newTerminal(t)
	got := run(t, "", "help")
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", got.code, got.stderr)
	}
	for _, name := range []string{"login", "logout", "collaborators", "collaborators-add", "collaborators-remove", "--database NAME-OR-ID", "$DBCOLLAB_DATABASE"} {
		if !strings.Contains(got.stdout, name) {
			t.Errorf("help does not mention %s:\n%s", name, got.stdout)
		}
	}
}

func TestCommandHelpShowsItsUsage(t *testing.T) {
	for _, args := range [][]string{{"collaborators-add", "--help"}, {"help", "collaborators-add"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			newTerminal(t)
			got := run(t, "", args...)
			if got.code != 0 || got.stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", got.code, got.stderr)
			}
			if !strings.Contains(got.stdout, "USAGE:\n   dbcollab --database NAME-OR-ID collaborators-add EMAIL\n") {
				t.Errorf("no usage line:\n%s", got.stdout)
			}
		})
	}
}

func TestExitCodePrefixesEveryLineOfTheMessage(t *testing.T) {
	var stderr bytes.Buffer
	code := ExitCode(&stderr, &usageError{"first\nsecond"})
	if code != 2 || stderr.String() != " !     first\n !     second\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if code := ExitCode(&stderr, nil); code != 0 {
		t.Errorf("no error: exit %d", code)
	}
}

// Addresses are matched as the server normalises them, never by Unicode case folding:
// the long s of ſam@ is another letter than the s of sam@ (strings.EqualFold says they
// are the same), while the Kelvin sign K lower-cases to k on the server too.
func TestCollaboratorsRemoveDoesNotTakeTheLongSForAnS(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	f.rows = append(f.rows, fakeRow{id: 10, email: "ſam@example.com", status: "pending"})
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "sam@example.com"), 1,
		" !     sam@example.com is not a collaborator of my-dedicated-db\n")
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "SAM@example.com"), 1,
		" !     SAM@example.com is not a collaborator of my-dedicated-db\n")

	f.rows = append(f.rows, fakeRow{id: 11, email: "sam@example.com", status: "pending"},
		fakeRow{id: 12, email: "kate@example.com", status: "pending"})
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "Sam@example.com"),
		"-----> sam@example.com has been removed from the collaborators of my-dedicated-db\n")
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "\u212Aate@example.com"),
		"-----> kate@example.com has been removed from the collaborators of my-dedicated-db\n")
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-remove", "ſam@example.com"),
		"-----> ſam@example.com has been removed from the collaborators of my-dedicated-db\n")
	var deleted []string
	for _, call := range f.requests() {
		if strings.HasPrefix(call, "DELETE ") {
			deleted = append(deleted, call)
		}
	}
	want := []string{"DELETE /v1/databases/db-1f2e/collaborators/11", "DELETE /v1/databases/db-1f2e/collaborators/12", "DELETE /v1/databases/db-1f2e/collaborators/10"}
	if !slices.Equal(deleted, want) {
		t.Errorf("deleted %q, want %q", deleted, want)
	}
}
