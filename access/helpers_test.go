package access_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"

	"dbcollab/access"
	"dbcollab/internal/pgtest"
	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/store"
)

func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// env is a service with a real PostgreSQL server attached, and the runner of its
// access jobs running.
type env struct {
	svc     *service.Service
	st      *store.Store
	pg      *access.Server
	cluster *pgtest.Cluster
	admin   *pgx.Conn
	// dsn is where the store is (internal/teststore).
	dsn string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvRunning(t, true)
}

// newEnvRunning is newEnv, with the runner started or not.
func newEnvRunning(t testing.TB, run bool) *env {
	t.Helper()
	return newEnvAs(t, run, "")
}

// newEnvAs is newEnvRunning with adminURL as dbcollab's admin (default: the superuser).
func newEnvAs(t testing.TB, run bool, adminURL string) *env {
	t.Helper()
	e := &env{cluster: pgtest.Start(t)}
	if adminURL == "" {
		adminURL = e.cluster.AdminURL()
	}
	var err error
	e.st, e.dsn = teststore.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if e.pg, err = access.New(adminURL, e.st, log); err != nil {
		t.Fatal(err)
	}
	e.svc = &service.Service{Store: e.st, BaseURL: "http://example.test", PasswordCost: bcrypt.MinCost,
		Postgres: e.pg, AccessJobsQueued: e.pg.Wake}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if run {
		wg.Go(func() { e.pg.Run(ctx, 0) })
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		e.pg.Close()
	})
	if e.admin, err = pgx.Connect(t.Context(), e.cluster.AdminURL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.admin.Close(context.Background()) })
	return e
}

// user signs up name@example.com.
func (e *env) user(t testing.TB, name string) store.User {
	t.Helper()
	u, err := e.svc.Signup(context.Background(), service.SignupInput{Email: name + "@example.com", Username: name, Password: "password-" + name})
	if err != nil {
		t.Fatalf("Signup(%s): %v", name, err)
	}
	return u
}

// uniqueName is a database name no other test of the binary takes on the shared cluster.
func uniqueName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// database has owner create a database.
func (e *env) database(t testing.TB, owner store.User) store.Database {
	t.Helper()
	db, err := e.svc.CreateDatabase(context.Background(), owner.ID, service.NewDatabaseInput{Name: uniqueName("db"), Plan: service.Plans[0].ID})
	if err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	return db
}

var linkPattern = regexp.MustCompile(`http://example\.test/invitations/([A-Za-z0-9_-]+)`)

// invite has owner invite u to db and returns their row and the link's token.
func (e *env) invite(t testing.TB, owner store.User, db store.Database, u store.User) (store.Collaborator, string) {
	t.Helper()
	ctx := context.Background()
	_, row, err := e.svc.Invite(ctx, owner.ID, db.Name, u.Email)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	token := ""
	for {
		m, err := e.st.NextDueEmail(ctx)
		if errors.Is(err, store.ErrNotFound) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if found := linkPattern.FindStringSubmatch(m.Text); found != nil && m.To == u.Email {
			token = found[1]
		}
		if err := e.st.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, m.ID, m.CreatedAt) }); err != nil {
			t.Fatal(err)
		}
	}
	if token == "" {
		t.Fatalf("no invitation e-mailed to %s", u.Email)
	}
	return row, token
}

// member has owner invite u to db, and u accept.
func (e *env) member(t testing.TB, owner store.User, db store.Database, u store.User) store.Collaborator {
	t.Helper()
	row, token := e.invite(t, owner, db, u)
	if _, err := e.svc.AcceptInvitation(context.Background(), u.ID, token); err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	return row
}

// states returns the access states of db.
func (e *env) states(t testing.TB, owner store.User, db store.Database) (map[int64]service.MemberAccess, []string) {
	t.Helper()
	m, err := e.svc.Membership(context.Background(), owner.ID, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := e.svc.Collaborators(context.Background(), owner.ID, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	states, removing, err := e.svc.AccessStates(context.Background(), m, service.MemberIDs(rows))
	if err != nil {
		t.Fatal(err)
	}
	return states, removing
}

// waitFor polls cond every 5 ms until it holds or within passes, and returns how long it took.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// activeCredentials waits for u's role on db to be active and gives it a password.
func (e *env) activeCredentials(t testing.TB, u store.User, db store.Database) service.Credentials {
	t.Helper()
	var c service.Credentials
	waitFor(t, time.Second, "role active", func() bool {
		var err error
		c, err = e.svc.ResetCredentials(context.Background(), u.ID, db.Name)
		if err != nil && !errors.Is(err, service.ErrAccessNotReady) {
			t.Fatal(err)
		}
		return err == nil
	})
	return c
}

// login connects with c.
func (e *env) login(ctx context.Context, c service.Credentials) (*pgx.Conn, error) {
	return pgx.Connect(ctx, e.cluster.URL(c.User, c.Password, c.Database))
}

// roleExists says whether role name exists on the server.
func (e *env) roleExists(t testing.TB, name string) bool {
	t.Helper()
	var n int
	if err := e.admin.QueryRow(context.Background(), `SELECT count(*) FROM pg_roles WHERE rolname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// reconnect opens a new admin connection after a restart of the cluster.
func reconnect(t testing.TB, e *env) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), e.cluster.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// jobsDone lists the kinds of the access jobs done, in the order they were done.
func (e *env) jobsDone(t testing.TB) []string {
	t.Helper()
	rows, err := teststore.SQL(t, e.dsn).Query(`SELECT kind FROM outbox WHERE kind != 'email' AND sent_at IS NOT NULL ORDER BY sent_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	return kinds
}
