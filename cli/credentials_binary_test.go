package cli

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dbcollab/internal/pgtest"
)

func TestBinaryCredentialsWithoutPostgreSQLServer(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	for _, command := range []string{"credentials", "credentials-reset"} {
		wantFailure(t, owner.run("", command), 1, " !     No PostgreSQL server is attached to this dashboard\n")
	}
}

var credentialLine = regexp.MustCompile(`(?m)^(Host|Port|Database|User|URI|Password): +(\S+)$`)

// The real binary and server, with a throwaway PostgreSQL cluster: credentials shows
// the owner's login without password, credentials-reset its new password, which logs in.
func TestBinaryCredentialsResetLogsInToPostgreSQL(t *testing.T) {
	cluster := pgtest.Start(t)
	apiURL := startServer(t, "--postgres-url", cluster.AdminURL())
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")

	var shown result
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		shown = owner.run("", "credentials")
		if shown.code == 0 || time.Now().After(deadline) {
			break
		}
		if shown.stderr != " !     Your PostgreSQL login on this database is still being granted: try again in a moment\n" {
			t.Fatalf("before the login exists: exit %d, stderr %q", shown.code, shown.stderr)
		}
	}
	fields := map[string]string{}
	for _, m := range credentialLine.FindAllStringSubmatch(shown.stdout, -1) {
		fields[m[1]] = m[2]
	}
	role := fields["User"]
	want := "-----> Credentials of user1 on my-dedicated-db\n" +
		"Host:     " + cluster.Host() + "\nPort:     " + strconv.Itoa(cluster.Port()) + "\nDatabase: my-dedicated-db\n" +
		"User:     " + role + "\nURI:      postgresql://" + role + "@" + cluster.Host() + ":" + strconv.Itoa(cluster.Port()) + "/my-dedicated-db\n"
	wantSuccess(t, shown, want)
	if !strings.HasPrefix(role, "dbc_") {
		t.Fatalf("user %q", role)
	}

	reset := owner.run("", "credentials-reset")
	password := strings.TrimPrefix(strings.TrimSuffix(reset.stdout, "\n")[len(want):], "Password: ")
	wantSuccess(t, reset, want+"Password: "+password+"\n")
	if strings.Count(reset.stdout, password) != 1 || len(password) < 20 {
		t.Fatalf("password %q", password)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgresql://"+role+":"+url.QueryEscape(password)+"@"+cluster.Host()+":"+strconv.Itoa(cluster.Port())+"/my-dedicated-db")
	if err != nil {
		t.Fatalf("log in with the password credentials-reset printed: %v", err)
	}
	conn.Close(context.Background())
	if again := owner.run("", "credentials"); strings.Contains(again.stdout, password) {
		t.Error("credentials prints the password again")
	}
}
