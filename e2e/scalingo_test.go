package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// scalingoClient speaks the public Scalingo API as the official client does
// (../shared/spec/scalingo-cli-wire.md): it exchanges its API token for an access token,
// then sends that as Bearer, with a JSON content type and an empty query string on
// every request. Its methods print what the official commands print.
type scalingoClient struct {
	t                 *testing.T
	url, apiToken, db string
	access            string
}

func newScalingoClient(t *testing.T, url, apiToken, db string) *scalingoClient {
	c := &scalingoClient{t: t, url: url, apiToken: apiToken, db: db}
	var answer struct{ Token string }
	c.call(http.MethodPost, "/v1/tokens/exchange", `{}`, http.StatusOK, &answer)
	if strings.Count(answer.Token, ".") != 2 {
		t.Fatalf("the exchange gave %q, not a JWT", answer.Token)
	}
	c.access = answer.Token
	return c
}

// call makes a request and decodes the answer into out when its status is want; it
// returns the status and the body.
func (c *scalingoClient) call(method, path, body string, want int, out any) (int, []byte) {
	c.t.Helper()
	if method == http.MethodGet || method == http.MethodDelete {
		path += "?"
	}
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.access == "" {
		req.SetBasicAuth("", c.apiToken)
	} else {
		req.Header.Set("Authorization", "Bearer "+c.access)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode == want && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, raw
}

func (c *scalingoClient) expect(method, path, body string, want int, out any) {
	c.t.Helper()
	if status, raw := c.call(method, path, body, want, out); status != want {
		c.t.Fatalf("%s %s: %d, want %d\n%s", method, path, status, want, raw)
	}
}

// login is `scalingo login --api-token`'s greeting.
func (c *scalingoClient) login() string {
	var self struct{ User struct{ Username string } }
	c.expect(http.MethodGet, "/v1/users/self", "", http.StatusOK, &self)
	return fmt.Sprintf("-----> Hello %s, nice to see you!", self.User.Username)
}

// addon is the first step of every --database command: the database must be the one
// addon of its app.
func (c *scalingoClient) addon() {
	c.t.Helper()
	var addons struct {
		Addons []struct {
			AddonProvider struct{ ID string } `json:"addon_provider"`
		}
	}
	c.expect(http.MethodGet, "/v1/apps/"+c.db+"/addons", "", http.StatusOK, &addons)
	if len(addons.Addons) != 1 || addons.Addons[0].AddonProvider.ID != "postgresql" {
		c.t.Fatalf("addons %+v, want one PostgreSQL addon", addons.Addons)
	}
}

type scalingoRow struct{ ID, Email, Username, Status string }

func (c *scalingoClient) list() []scalingoRow {
	c.t.Helper()
	var list struct{ Collaborators []scalingoRow }
	c.expect(http.MethodGet, "/v1/apps/"+c.db+"/collaborators", "", http.StatusOK, &list)
	return list.Collaborators
}

// collaborators is `scalingo --database DB collaborators`'s table rows: the app's owner,
// then the list.
func (c *scalingoClient) collaborators() [][]string {
	c.t.Helper()
	c.addon()
	rows := c.list()
	var app struct {
		App struct {
			Owner struct{ Email, Username string }
		}
	}
	c.expect(http.MethodGet, "/v1/apps/"+c.db, "", http.StatusOK, &app)
	table := [][]string{{app.App.Owner.Email, app.App.Owner.Username, "owner", "owner"}}
	for _, r := range rows {
		table = append(table, []string{r.Email, r.Username, r.Status, "collaborator"})
	}
	return table
}

// add is `scalingo --database DB collaborators-add EMAIL`: its output line and exit code.
func (c *scalingoClient) add(email string) (string, int) {
	c.t.Helper()
	c.addon()
	var added struct{ Collaborator struct{ Email string } }
	body := fmt.Sprintf(`{"collaborator":{"email":%q,"is_limited":false}}`, email)
	status, raw := c.call(http.MethodPost, "/v1/apps/"+c.db+"/collaborators", body, http.StatusCreated, &added)
	switch status {
	case http.StatusCreated:
		return "-----> " + added.Collaborator.Email + " has been invited to collaborate to " + c.db, 0
	case http.StatusUnprocessableEntity:
		var refusal struct{ Errors map[string][]string }
		if err := json.Unmarshal(raw, &refusal); err != nil || len(refusal.Errors) == 0 {
			c.t.Fatalf("422 without errors: %s", raw)
		}
		out := " !     422 Unprocessable Content"
		for field, messages := range refusal.Errors {
			out += "\n* " + field + " → " + strings.Join(messages, ", ")
		}
		return out, 1
	}
	c.t.Fatalf("POST collaborators: %d\n%s", status, raw)
	return "", 0
}

// remove is `scalingo --database DB collaborators-remove EMAIL`: the row whose address
// is exactly email, if any, is deleted.
func (c *scalingoClient) remove(email string) string {
	c.t.Helper()
	c.addon()
	for _, r := range c.list() {
		if r.Email == email {
			c.expect(http.MethodDelete, "/v1/apps/"+c.db+"/collaborators/"+r.ID, "", http.StatusNoContent, nil)
			return "-----> " + email + " has been removed from the collaborators of " + c.db
		}
	}
	return " !     " + email + " is not a collaborator of " + c.db + "."
}

// dbcollabCLI runs dbcollab's own client against url with the API token given, from a
// fresh configuration directory.
type dbcollabCLI struct {
	t   *testing.T
	env []string
}

func newDBCollabCLI(t *testing.T, url, token string) *dbcollabCLI {
	home := t.TempDir()
	return &dbcollabCLI{t: t, env: []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home,
		"DBCOLLAB_API_URL=" + url, "DBCOLLAB_API_TOKEN=" + token, "PATH=" + os.Getenv("PATH")}}
}

func (d *dbcollabCLI) run(args ...string) (stdout, stderr string, code int) {
	d.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = d.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
		d.t.Fatal(err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// table is the rows of `dbcollab --database DB collaborators`, without the header.
func (d *dbcollabCLI) table(db string) [][]string {
	d.t.Helper()
	out, errOut, code := d.run("--database", db, "collaborators")
	if code != 0 {
		d.t.Fatalf("dbcollab collaborators: exit %d\n%s%s", code, out, errOut)
	}
	var rows [][]string
	for line := range strings.Lines(out) {
		if !strings.HasPrefix(line, "│") {
			continue
		}
		var cells []string
		for cell := range strings.SplitSeq(strings.Trim(strings.TrimSpace(line), "│"), "│") {
			cells = append(cells, strings.TrimSpace(cell))
		}
		if cells[0] != "EMAIL" {
			rows = append(rows, cells)
		}
	}
	return rows
}

func expectTable(t *testing.T, what string, got [][]string, want ...[]string) {
	t.Helper()
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("%s: table %q, want %q", what, got, want)
	}
}

// TestScalingoWireAndDBCollabCLIAgree runs the official client's requests (a Go client
// on the public wire shapes) and dbcollab's own CLI against one real server: each sees
// what the other did, with the spec's outputs, the same rules and the same e-mails.
func TestScalingoWireAndDBCollabCLIAgree(t *testing.T) {
	t.Parallel()
	a := startApp(t, true)
	a.Mail.waitFor(t, "user3@example.com") // the demo invitation left
	ownerToken := apiToken(t, a.URL, "user1@example.com", demoPassword)
	owner := newScalingoClient(t, a.URL, ownerToken, demoDB)
	cli := newDBCollabCLI(t, a.URL, ownerToken)

	if got := owner.login(); got != "-----> Hello user1, nice to see you!" {
		t.Errorf("login says %q", got)
	}
	seed := [][]string{
		{"user1@example.com", "user1", "owner", "owner"},
		{"user2@example.com", "user2", "accepted", "collaborator"},
		{"user3@example.com", "n/a", "pending", "collaborator"},
	}
	expectTable(t, "scalingo collaborators", owner.collaborators(), seed...)
	expectTable(t, "dbcollab collaborators", cli.table(demoDB), seed...)

	// collaborators-add through the wire: the invitation e-mail leaves, dbcollab lists it.
	if out, code := owner.add("user@example.com"); out != "-----> user@example.com has been invited to collaborate to my-dedicated-db" || code != 0 {
		t.Fatalf("collaborators-add: %q, exit %d", out, code)
	}
	a.Mail.waitFor(t, "user@example.com")
	pending := []string{"user@example.com", "n/a", "pending", "collaborator"}
	expectTable(t, "dbcollab after the wire's add", cli.table(demoDB), append(seed, pending)...)

	// The same rule refuses the same address again, in each client's words.
	if out, code := owner.add("user@example.com"); out != " !     422 Unprocessable Content\n* email → user@example.com has already been invited to my-dedicated-db" || code != 1 {
		t.Errorf("collaborators-add again through the wire: %q, exit %d", out, code)
	}
	if _, errOut, code := cli.run("--database", demoDB, "collaborators-add", "user@example.com"); errOut != " !     user@example.com has already been invited to my-dedicated-db\n" || code != 1 {
		t.Errorf("dbcollab collaborators-add again: %q, exit %d", errOut, code)
	}

	// collaborators-remove through the wire; a ghost is not a collaborator and nothing is deleted.
	if out := owner.remove("user@example.com"); out != "-----> user@example.com has been removed from the collaborators of my-dedicated-db" {
		t.Fatalf("collaborators-remove: %q", out)
	}
	if out := owner.remove("ghost@example.com"); out != " !     ghost@example.com is not a collaborator of my-dedicated-db." {
		t.Errorf("collaborators-remove of a ghost: %q", out)
	}
	expectTable(t, "dbcollab after the wire's remove", cli.table(demoDB), seed...)

	// dbcollab's CLI invites by the database's ID; the wire, by ID too, sees and removes it.
	dbID := databaseID(t, a.URL, ownerToken)
	if out, _, code := cli.run("--database", dbID, "collaborators-add", "user5@example.com"); out != "-----> user5@example.com has been invited to collaborate to my-dedicated-db\n" || code != 0 {
		t.Fatalf("dbcollab collaborators-add by ID: %q, exit %d", out, code)
	}
	byID := newScalingoClient(t, a.URL, ownerToken, dbID)
	expectTable(t, "scalingo collaborators by ID", byID.collaborators(), append(seed, []string{"user5@example.com", "n/a", "pending", "collaborator"})...)
	if out := byID.remove("user5@example.com"); out != "-----> user5@example.com has been removed from the collaborators of "+dbID {
		t.Fatalf("collaborators-remove by ID: %q", out)
	}

	// A collaborator who removes their own address stops collaborating; the owner hears of it.
	collaborator := newScalingoClient(t, a.URL, apiToken(t, a.URL, "user2@example.com", demoPassword), demoDB)
	if out := collaborator.remove("user2@example.com"); out != "-----> user2@example.com has been removed from the collaborators of my-dedicated-db" {
		t.Fatalf("user2 removing their own address: %q", out)
	}
	if status, _ := collaborator.call(http.MethodGet, "/v1/apps/"+demoDB+"/addons", "", http.StatusOK, nil); status != http.StatusNotFound {
		t.Errorf("user2 still sees the database after leaving: %d", status)
	}
	a.Mail.waitFor(t, "user1@example.com")
	expectTable(t, "dbcollab after user2 left", cli.table(demoDB), seed[0], seed[2])
	expectTable(t, "scalingo after user2 left", owner.collaborators(), seed[0], seed[2])

	// The owner's row is never listed to the wire, so it cannot be removed through it.
	if out := owner.remove("user1@example.com"); out != " !     user1@example.com is not a collaborator of my-dedicated-db." {
		t.Errorf("collaborators-remove of the owner: %q", out)
	}
}

// databaseID reads the demo database's ID from the dbcollab API.
func databaseID(t *testing.T, url, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/v1/databases/"+demoDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Database struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Database.ID == "" {
		t.Fatalf("GET /v1/databases/%s: %d %v", demoDB, resp.StatusCode, err)
	}
	return out.Database.ID
}
