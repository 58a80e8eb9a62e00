package access_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// An admin role with CREATEDB, CREATEROLE and pg_signal_backend, no superuser, is enough
// for the whole life of a membership.
func TestAnAdminWithCreatedbCreateroleAndSignalBackendIsEnough(t *testing.T) {
	c := newEnv(t) // for the cluster and its superuser connection
	ctx := t.Context()
	admin := "dbc_admin_" + strings.ReplaceAll(uniqueName("x"), "-", "")
	if _, err := c.admin.Exec(ctx, fmt.Sprintf(`CREATE ROLE %s LOGIN CREATEDB CREATEROLE PASSWORD 'admin-pw'; GRANT pg_signal_backend TO %[1]s`, admin)); err != nil {
		t.Fatal(err)
	}
	e := newEnvAs(t, true, c.cluster.URL(admin, "admin-pw", "postgres"))
	owner, alice := e.user(t, "owner"), e.user(t, "alice")
	db := e.database(t, owner)
	row := e.member(t, owner, db, alice)
	creds := e.activeCredentials(t, alice, db)
	conn, err := e.login(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (v int); RESET ROLE; CREATE TABLE own (v int)`); err != nil {
		t.Fatal(err)
	}
	held := make(chan error, 1)
	go func() {
		_, err := conn.Exec(context.Background(), `SELECT pg_sleep(30)`)
		held <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if _, err := e.svc.Revoke(ctx, owner.ID, db.Name, row.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-held:
		if err == nil {
			t.Error("the held session was not ended")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the held session still runs 2 s after the revocation")
	}
	waitFor(t, 2*time.Second, "role dropped", func() bool { return !e.roleExists(t, creds.User) })
	oc, err := e.login(ctx, e.activeCredentials(t, owner, db))
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close(context.Background())
	for _, table := range []string{"kept", "own"} {
		var owner string
		if err := oc.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE tablename = $1`, table).Scan(&owner); err != nil {
			t.Errorf("%s after the revocation: %v", table, err)
		} else if !strings.HasPrefix(owner, "dbc_g_") {
			t.Errorf("%s is owned by %s, want the group", table, owner)
		}
	}
	if err := e.pg.Reconcile(ctx); err != nil {
		t.Errorf("reconcile as that admin: %v", err)
	}
}
