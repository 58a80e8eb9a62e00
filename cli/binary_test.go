package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dbcollab/internal/pgtest"
)

// The tests in this file build the real dbcollab binary, run `dbcollab serve --demo` on
// a fresh SQLite file, and drive the same binary as a user would from a terminal. They
// use nothing of package cli but the checks of a run's output in cli_test.go.

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m) // stops the PostgreSQL cluster, if a test started one
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// dbcollab builds the binary from the repository root once for all the tests.
func dbcollab(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "dbcollab-cli-test-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "dbcollab")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// servingLine is the server's log line once it listens; addr is where.
var servingLine = regexp.MustCompile(`msg="dbcollab is serving" addr=(\S+)`)

// startServer runs `dbcollab serve --demo` on a random loopback port, with the extra
// serve flags given, and returns its URL.
func startServer(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"serve", "--demo", "--db", filepath.Join(dir, "dbcollab.db"), "--addr", "127.0.0.1:0"}, extra...)
	server := exec.Command(dbcollab(t), args...)
	server.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	server.Stdout = io.Discard // the demo accounts and the printed e-mails
	stderr, err := server.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	var logMu sync.Mutex
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			logMu.Lock()
			log.WriteString(lines.Text() + "\n")
			logMu.Unlock()
			if m := servingLine.FindStringSubmatch(lines.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	t.Cleanup(func() {
		server.Process.Signal(os.Interrupt)
		stopped := make(chan error, 1)
		go func() { stopped <- server.Wait() }()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("the server did not stop cleanly: %v", err)
			}
		case <-time.After(10 * time.Second):
			server.Process.Kill()
			t.Error("the server did not stop within 10s of SIGINT")
		}
	})
	select {
	case a, ok := <-addr:
		if !ok {
			logMu.Lock()
			defer logMu.Unlock()
			t.Fatalf("the server stopped before serving:\n%s", log.String())
		}
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start within 30s")
	}
	return ""
}

// terminal is one user at a shell: a home and config directory of their own, and the
// environment they set; nothing from the environment running the tests.
type terminal struct {
	t   *testing.T
	env []string
}

// newBinaryTerminal is a new user at a shell, with env set.
func newBinaryTerminal(t *testing.T, env ...string) *terminal {
	dir := t.TempDir()
	return &terminal{t: t, env: append([]string{
		"HOME=" + filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"PATH=" + os.Getenv("PATH"),
	}, env...)}
}

// run runs dbcollab with args and stdin (piped: never a terminal).
func (term *terminal) run(stdin string, args ...string) result {
	term.t.Helper()
	cmd := exec.Command(dbcollab(term.t), args...)
	cmd.Env = term.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		term.t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// login logs in as a demo account, the password piped on stdin.
func (term *terminal) login(apiURL, email string) {
	term.t.Helper()
	got := term.run("demo-password\n", "login", "--api-url", apiURL, "--email", email)
	if got.code != 0 || !strings.HasPrefix(got.stdout, "-----> Logged in as "+email+" on "+apiURL+" (token kept in ") {
		term.t.Fatalf("login as %s: exit %d\nstdout: %s\nstderr: %s", email, got.code, got.stdout, got.stderr)
	}
}

// token is the API token login kept.
func (term *terminal) token() string {
	term.t.Helper()
	for _, kv := range term.env {
		if dir, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			data, err := os.ReadFile(filepath.Join(dir, "dbcollab", "auth.json"))
			if err != nil {
				term.t.Fatal(err)
			}
			var c struct{ Token string }
			if err := json.Unmarshal(data, &c); err != nil {
				term.t.Fatal(err)
			}
			return c.Token
		}
	}
	term.t.Fatal("no XDG_CONFIG_HOME")
	return ""
}

// databaseID asks the API for the demo database's ID, as a user would copy it from the dashboard.
func databaseID(t *testing.T, apiURL, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, apiURL+"/v1/databases/my-dedicated-db", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Database struct{ ID, Name string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Database.ID == "" {
		t.Fatalf("GET /v1/databases/my-dedicated-db: %s, %+v, %v", resp.Status, out, err)
	}
	return out.Database.ID
}

func TestBinaryCollaboratorsPrintsTheSpecsTable(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t)
	owner.login(apiURL, "user1@example.com")
	id := databaseID(t, apiURL, owner.token())
	for _, ref := range []string{"my-dedicated-db", id} {
		wantSuccess(t, owner.run("", "--database", ref, "collaborators"), golden(t, "collaborators.golden"))
	}

	collaborator := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	collaborator.login(apiURL, "user2@example.com")
	wantSuccess(t, collaborator.run("", "collaborators"), golden(t, "collaborators.golden"))
}

func TestBinaryInviteThenRemoveByTheDatabasesID(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t)
	owner.login(apiURL, "user1@example.com")
	id := databaseID(t, apiURL, owner.token())

	wantSuccess(t, owner.run("", "--database", id, "collaborators-add", "user@example.com"), golden(t, "invited.golden"))
	list := owner.run("", "--database", id, "collaborators")
	if !strings.Contains(list.stdout, "│ user3@example.com │ n/a      │ pending  │ collaborator │\n│ user@example.com  │ n/a      │ pending  │ collaborator │\n") {
		t.Errorf("the invitation is not listed last, pending:\n%s", list.stdout)
	}
	wantSuccess(t, owner.run("", "--database", id, "collaborators-remove", "user@example.com"), golden(t, "removed.golden"))
	wantSuccess(t, owner.run("", "--database", id, "collaborators"), golden(t, "collaborators.golden"))
}

func TestBinaryRemovingOneselfIsLeaving(t *testing.T) {
	apiURL := startServer(t)
	collaborator := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	collaborator.login(apiURL, "user2@example.com")
	wantSuccess(t, collaborator.run("", "collaborators-remove", "USER2@example.com"),
		"-----> user2@example.com has been removed from the collaborators of my-dedicated-db\n")
	wantFailure(t, collaborator.run("", "collaborators"), 1, " !     Database my-dedicated-db not found\n")

	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	list := owner.run("", "collaborators")
	if strings.Contains(list.stdout, "user2@example.com") {
		t.Errorf("user2 still listed after leaving:\n%s", list.stdout)
	}
}

func TestBinaryCancelsAPendingInvitation(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	wantSuccess(t, owner.run("", "collaborators-remove", "user3@example.com"),
		"-----> user3@example.com has been removed from the collaborators of my-dedicated-db\n")
	if list := owner.run("", "collaborators"); strings.Contains(list.stdout, "user3@example.com") {
		t.Errorf("the cancelled invitation is still listed:\n%s", list.stdout)
	}
}

func TestBinaryErrors(t *testing.T) {
	apiURL := startServer(t)
	// A server that is not unreachable but answers what the API never should.
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":"database is locked"}`))
	}))
	t.Cleanup(broken.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name   string
		as     string   // the demo account logged in, if any
		env    []string // the terminal's environment
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{name: "not logged in", args: []string{"--database", "my-dedicated-db", "collaborators"},
			code: 1, stderr: " !     You are not logged in: run dbcollab login --email YOUR-EMAIL\n"},
		{name: "unknown database", as: "user1@example.com", args: []string{"--database", "nope", "collaborators"},
			code: 1, stderr: " !     Database nope not found\n"},
		{name: "database one may not see", as: "user4@example.com", args: []string{"--database", "my-dedicated-db", "collaborators"},
			code: 1, stderr: " !     Database my-dedicated-db not found\n"},
		{name: "inviting to a database one may not see", as: "user4@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "not-an-email"},
			code: 1, stderr: " !     Database my-dedicated-db not found\n"},
		{name: "not a collaborator", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-remove", "user4@example.com"},
			code: 1, stderr: " !     user4@example.com is not a collaborator of my-dedicated-db\n"},
		{name: "already a collaborator", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "user2@example.com"},
			code: 1, stderr: " !     user2@example.com already collaborates on my-dedicated-db\n"},
		{name: "already invited", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "User3@Example.com"},
			code: 1, stderr: " !     user3@example.com has already been invited to my-dedicated-db\n"},
		{name: "inviting the owner", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "user1@example.com"},
			code: 1, stderr: " !     user1@example.com is the owner of my-dedicated-db\n"},
		{name: "invalid address", as: "user1@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-add", "not-an-email"},
			code: 1, stderr: " !     not-an-email is not a valid e-mail address\n"},
		{name: "removing the owner", as: "user2@example.com", args: []string{"--database", "my-dedicated-db", "collaborators-remove", "user1@example.com"},
			code: 1, stderr: " !     The owner's access cannot be revoked: a database always keeps its owner\n"},
		{name: "wrong password", stdin: "wrong-password\n", args: []string{"login", "--api-url", apiURL, "--email", "user1@example.com"},
			code: 1, stderr: " !     Wrong e-mail or password\n"},
		{name: "revoked or made-up token", env: []string{"DBCOLLAB_API_URL=" + apiURL, "DBCOLLAB_API_TOKEN=dbcollab_made-up"},
			args: []string{"--database", "my-dedicated-db", "collaborators"},
			code: 1, stderr: " !     Your API token was refused: log in again with dbcollab login\n"},
		{name: "made-up token at login", args: []string{"login", "--api-url", apiURL, "--api-token", "dbcollab_made-up"},
			code: 1, stderr: " !     The API token was refused by " + apiURL + "\n"},
		{name: "server unreachable", env: []string{"DBCOLLAB_API_URL=" + closed.URL, "DBCOLLAB_API_TOKEN=t"},
			args: []string{"--database", "my-dedicated-db", "collaborators"},
			code: 1, stderr: " !     Could not reach the API at " + closed.URL + ": dial tcp " + strings.TrimPrefix(closed.URL, "http://") + ": connect: connection refused\n"},
		{name: "unexpected answer", env: []string{"DBCOLLAB_API_URL=" + broken.URL, "DBCOLLAB_API_TOKEN=t"},
			args: []string{"--database", "my-dedicated-db", "collaborators-add", "user@example.com"},
			code: 1, stderr: " !     Unexpected answer from the API: 500 Internal Server Error: database is locked\n"},
		{name: "missing database", as: "user1@example.com", args: []string{"collaborators"},
			code: 2, stderr: " !     No database given: use --database NAME-OR-ID, or set DBCOLLAB_DATABASE\n"},
	}
	// Each account logs in once (bcrypt is slow on purpose); its terminals share the token.
	tokens := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if tt.as != "" {
				if tokens[tt.as] == "" {
					first := newBinaryTerminal(t)
					first.login(apiURL, tt.as)
					tokens[tt.as] = first.token()
				}
				env = append(env, "DBCOLLAB_API_URL="+apiURL, "DBCOLLAB_API_TOKEN="+tokens[tt.as])
			}
			wantFailure(t, newBinaryTerminal(t, env...).run(tt.stdin, tt.args...), tt.code, tt.stderr)
		})
	}

	// Nothing above changed the demo data.
	owner := newBinaryTerminal(t)
	owner.login(apiURL, "user1@example.com")
	wantSuccess(t, owner.run("", "--database", "my-dedicated-db", "collaborators"), golden(t, "collaborators.golden"))
}

func TestBinaryUsageErrorsPrintTheUsageAndExit2(t *testing.T) {
	term := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	for _, tt := range []struct {
		args    []string
		usage   string
		message string
	}{
		{[]string{"collaborators-add"}, "dbcollab --database NAME-OR-ID collaborators-add EMAIL", "Missing argument: EMAIL"},
		{[]string{"collaborators-remove"}, "dbcollab --database NAME-OR-ID collaborators-remove EMAIL", "Missing argument: EMAIL"},
		{[]string{"collaborators-add", "a@example.com", "b@example.com"}, "dbcollab --database NAME-OR-ID collaborators-add EMAIL", "Unexpected argument: b@example.com"},
		{[]string{"collaborators", "extra"}, "dbcollab --database NAME-OR-ID collaborators", "Unexpected argument: extra"},
		{[]string{"login"}, "dbcollab login [--api-url URL] --email EMAIL    (password from stdin, or prompted in a terminal)", "Missing --email (or --api-token)"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got := term.run("", tt.args...)
			if got.code != 2 || got.stdout != "" || !strings.Contains(got.stderr, "USAGE:\n   "+tt.usage+"\n") ||
				!strings.HasSuffix(got.stderr, "\n !     "+tt.message+"\n") {
				t.Errorf("exit %d, stdout %q, stderr:\n%s", got.code, got.stdout, got.stderr)
			}
		})
	}
}

func TestBinaryHelp(t *testing.T) {
	term := newBinaryTerminal(t)
	got := term.run("", "help")
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("exit %d, stderr %s", got.code, got.stderr)
	}
	for _, want := range []string{"serve", "login", "logout", "collaborators", "collaborators-add", "collaborators-remove", "--database NAME-OR-ID"} {
		if !strings.Contains(got.stdout, "   "+want+" ") {
			t.Errorf("help does not list %s:\n%s", want, got.stdout)
		}
	}
	got = term.run("", "collaborators-remove", "--help")
	if got.code != 0 || !strings.Contains(got.stdout, "USAGE:\n   dbcollab --database NAME-OR-ID collaborators-remove EMAIL\n") {
		t.Errorf("exit %d, stdout:\n%s", got.code, got.stdout)
	}
}

func TestBinaryLoginWithATokenAndLogout(t *testing.T) {
	apiURL := startServer(t)
	first := newBinaryTerminal(t)
	first.login(apiURL, "user1@example.com")

	second := newBinaryTerminal(t)
	got := second.run("", "login", "--api-url", apiURL, "--api-token", first.token())
	if got.code != 0 || !strings.HasPrefix(got.stdout, "-----> Logged in on "+apiURL+" with the API token (kept in ") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
	wantSuccess(t, second.run("", "--database", "my-dedicated-db", "collaborators"), golden(t, "collaborators.golden"))

	got = second.run("", "logout")
	if got.code != 0 || !strings.HasPrefix(got.stdout, "-----> Logged out: deleted ") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
	wantFailure(t, second.run("", "--database", "my-dedicated-db", "collaborators"), 1,
		" !     You are not logged in: run dbcollab login --email YOUR-EMAIL\n")
}

func TestBinaryRemoveDoesNotTakeTheLongSForAnS(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	wantSuccess(t, owner.run("", "collaborators-add", "ſam@example.com"),
		"-----> ſam@example.com has been invited to collaborate to my-dedicated-db\n")
	wantFailure(t, owner.run("", "collaborators-remove", "sam@example.com"), 1,
		" !     sam@example.com is not a collaborator of my-dedicated-db\n")
	if list := owner.run("", "collaborators"); !strings.Contains(list.stdout, "ſam@example.com") {
		t.Errorf("ſam@example.com is no longer listed:\n%s", list.stdout)
	}
}

// logout revokes the token on the server: a copy of it (here, the same token piped to
// another terminal's login) stops working too.
func TestBinaryLogoutRevokesTheTokenOnTheServer(t *testing.T) {
	apiURL := startServer(t)
	first := newBinaryTerminal(t)
	first.login(apiURL, "user1@example.com")
	token := first.token()

	second := newBinaryTerminal(t)
	got := second.run(token+"\n", "login", "--api-url", apiURL, "--api-token", "-")
	if got.code != 0 || got.stderr != "" || !strings.HasPrefix(got.stdout, "-----> Logged in on "+apiURL+" with the API token (kept in ") {
		t.Fatalf("login with the token on stdin: exit %d\nstdout: %s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
	got = first.run("", "logout")
	if got.code != 0 || got.stderr != "" || !strings.HasPrefix(got.stdout, "-----> Logged out: deleted ") {
		t.Fatalf("logout: exit %d\nstdout: %s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
	wantFailure(t, second.run("", "--database", "my-dedicated-db", "collaborators"), 1,
		" !     Your API token was refused: log in again with dbcollab login\n")
	got = second.run("", "logout")
	if got.code != 0 || !strings.HasPrefix(got.stdout, "-----> Logged out: deleted ") {
		t.Fatalf("logout of a revoked token: exit %d\nstdout: %s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
}
