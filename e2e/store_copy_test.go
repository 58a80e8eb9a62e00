package e2e

import (
	"errors"
	"maps"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestStoreCopyMovesAServedSQLiteStoreToPostgreSQL runs what an operator does: a server
// on SQLite with the demo data, stopped; `dbcollab store-copy` into an empty PostgreSQL
// database (per-table counts, one line of result, exit 0, no password shown); the same
// copy again (refused, exit 1); then a server on PostgreSQL, where the demo accounts
// and their collaborators are all there, and whose log does not show the password.
func TestStoreCopyMovesAServedSQLiteStoreToPostgreSQL(t *testing.T) {
	mail := startMailSink(t)
	file := filepath.Join(t.TempDir(), "dbcollab.db")
	onSQLite := startServer(t, file, mail.Addr, "--demo")
	sqliteList := listedCollaborators(t, onSQLite.URL, apiToken(t, onSQLite.URL, "user1@example.com", demoPassword), demoDB)
	onSQLite.stop(t, syscall.SIGTERM)
	target := freshPostgresStore(t)

	out, err := exec.Command(binary, "store-copy", "--from", file, "--to", target).CombinedOutput()
	if err != nil {
		t.Fatalf("store-copy: %v\n%s", err, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^table +SQLite +PostgreSQL *$`),
		regexp.MustCompile(`(?m)^users +3 +3 *$`),
		regexp.MustCompile(`(?m)^collaborators +3 +3 *$`),
		regexp.MustCompile(`(?m)^settings +1 +1 *$`),
		regexp.MustCompile(`(?m)^copied \d+ rows in \d+ tables from ` + regexp.QuoteMeta(file) + ` to postgres://\S+: every count matches$`),
	} {
		if !want.Match(out) {
			t.Errorf("store-copy's output does not match %s:\n%s", want, out)
		}
	}
	u, _ := url.Parse(target)
	if password, _ := u.User.Password(); strings.Contains(string(out), password) {
		t.Errorf("store-copy printed the target's password:\n%s", out)
	}

	out, err = exec.Command(binary, "store-copy", "--from", file, "--to", target).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 ||
		!strings.Contains(string(out), "the target already holds data (users: 3") {
		t.Errorf("store-copy into the filled target: %v, want exit 1 saying the target already holds data:\n%s", err, out)
	}

	onPostgres := startServer(t, target, mail.Addr)
	token := apiToken(t, onPostgres.URL, "user1@example.com", demoPassword)
	if got := listedCollaborators(t, onPostgres.URL, token, demoDB); !maps.Equal(got, sqliteList) {
		t.Errorf("collaborators of %s on PostgreSQL %v, want those on SQLite %v", demoDB, got, sqliteList)
	}
	if password, _ := u.User.Password(); strings.Contains(onPostgres.out.String(), password) {
		t.Errorf("the server logged the store's password:\n%s", onPostgres.out)
	}
}
