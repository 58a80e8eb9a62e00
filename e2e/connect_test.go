package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"dbcollab/internal/pgtest"
)

// connectText is the text of the Connect card's element with data-testid id.
func connectText(u *user, id string) string {
	return u.text(chromedp.Search(`//*[@data-testid="connect"]//*[@data-testid="` + id + `"]`))
}

// Issue 9 in a browser: the owner reads the Connect card, resets the password, and logs
// in to PostgreSQL with what the page showed; the page after shows the password no more,
// and the Overview and the Collaborators tab then count the session.
func TestConnectCardLogsInToPostgreSQL(t *testing.T) {
	cluster := pgtest.Start(t)
	s := newStage(t, true, "--postgres-url", cluster.AdminURL())
	a := &auditor{t: t, axe: axeSource(t), dir: s.dir}
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.open("/databases/"+demoDB, http.StatusOK)
	owner.reloadUntil("wait for the owner's login to be granted", chromedp.Search(`//*[@data-testid="connect"]`),
		func(card string) bool { return strings.Contains(card, "Reset password") })

	host, port, database, role, uri := connectText(owner, "host"), connectText(owner, "port"), connectText(owner, "database"),
		connectText(owner, "user"), connectText(owner, "uri")
	if host != cluster.Host() || port != strconv.Itoa(cluster.Port()) || database != demoDB || !strings.HasPrefix(role, "dbc_") {
		t.Fatalf("the card says %s:%s/%s as %s", host, port, database, role)
	}
	if want := "postgresql://" + role + "@" + host + ":" + port + "/" + database; uri != want {
		t.Errorf("URI %q, want %q", uri, want)
	}
	if got := connectText(owner, "psql"); got != `psql "`+uri+`"` {
		t.Errorf("psql line %q", got)
	}
	owner.screenshot("connect-card")

	owner.navigate("click Reset password", http.StatusOK, chromedp.Click(button("Reset password")))
	password := connectText(owner, "password")
	owner.screenshot("new-password")
	a.audit(owner, "overview-new-password")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	config, err := pgx.ParseConfig(uri)
	if err != nil {
		t.Fatal(err)
	}
	config.Password = password
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		t.Fatalf("log in to PostgreSQL as %s with the password shown: %v", role, err)
	}
	defer conn.Close(context.Background())
	// session_user: the member's sessions SET ROLE to the database's group role.
	var current, currentDB string
	if err := conn.QueryRow(ctx, `SELECT session_user, current_database()`).Scan(&current, &currentDB); err != nil {
		t.Fatal(err)
	}
	if current != role || currentDB != demoDB {
		t.Errorf("logged in as %s on %s, want %s on %s", current, currentDB, role, demoDB)
	}

	// The next page shows no password, and counts the session just opened.
	owner.open("/databases/"+demoDB, http.StatusOK)
	if body := owner.text("//body"); strings.Contains(body, password) {
		t.Error("the page after the reset shows the password")
	}
	owner.reloadUntil("wait for the session to be counted", chromedp.Search(`//*[@data-testid="usage"]`),
		func(usage string) bool { return strings.Contains(usage, "user1: 1 session") })
	owner.openCollaborators(demoDB)
	row := owner.text(chromedp.Search(`//tr[@data-email="user1@example.com"]//*[@data-testid="access"]`))
	if got := strings.Join(strings.Fields(row), " "); got != "PostgreSQL access: active, connected: 1" {
		t.Errorf("user1's row says %q", got)
	}
	a.audit(owner, "collaborators-access")
}
