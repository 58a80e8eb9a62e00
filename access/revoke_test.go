package access_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/store"
)

func TestRevokeEndsSessionsAndLoginsWithinASecondAndKeepsTables(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice := e.user(t, "owner"), e.user(t, "alice")
	db := e.database(t, owner)
	row := e.member(t, owner, db, alice)
	creds := e.activeCredentials(t, alice, db)
	conn, err := e.login(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (v int); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	held := make(chan error, 1)
	go func() {
		_, err := conn.Exec(context.Background(), `SELECT pg_sleep(30)`)
		held <- err
	}()
	waitFor(t, time.Second, "the held session sleeping", func() bool {
		var n int
		e.admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND query LIKE '%pg_sleep%'`, creds.User).Scan(&n)
		return n == 1
	})

	start := time.Now()
	if _, err := e.svc.Revoke(ctx, owner.ID, db.Name, row.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-held:
		if err == nil || !strings.Contains(err.Error(), "terminating connection") {
			t.Errorf("held session ended with %v, want terminated by the administrator", err)
		}
		t.Logf("revoke to disconnect: %v", time.Since(start))
	case <-time.After(time.Second):
		t.Fatal("the held session still runs a second after the revocation")
	}
	if c, err := e.login(ctx, creds); err == nil {
		c.Close(ctx)
		t.Error("the revoked member logs in again")
	}
	waitFor(t, time.Second, "role dropped", func() bool { return !e.roleExists(t, creds.User) })
	// The runner forgets the role once it is gone from the server: just after.
	waitFor(t, time.Second, "role forgotten", func() bool { _, removing := e.states(t, owner, db); return len(removing) == 0 })
	states, removing := e.states(t, owner, db)
	if _, listed := states[alice.ID]; listed || len(removing) != 0 {
		t.Errorf("after the revocation: states %v, still being removed %v", states, removing)
	}

	ownerCreds := e.activeCredentials(t, owner, db)
	oc, err := e.login(ctx, ownerCreds)
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close(context.Background())
	var n int
	if err := oc.QueryRow(ctx, `SELECT count(*) FROM kept`).Scan(&n); err != nil || n != 1 {
		t.Errorf("alice's table after her revocation: %d rows, %v; want it kept with its row", n, err)
	}
}

func TestLeavingDropsTheRoleAndCancellingNeverMadeOne(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice, bob := e.user(t, "owner"), e.user(t, "alice"), e.user(t, "bob")
	db := e.database(t, owner)
	aliceRow := e.member(t, owner, db, alice)
	creds := e.activeCredentials(t, alice, db)
	bobRow, _ := e.invite(t, owner, db, bob)

	if _, err := e.svc.Revoke(ctx, alice.ID, db.Name, aliceRow.ID); err != nil { // alice leaves
		t.Fatal(err)
	}
	if _, err := e.svc.Revoke(ctx, owner.ID, db.Name, bobRow.ID); err != nil { // bob's invitation cancelled
		t.Fatal(err)
	}
	waitFor(t, time.Second, "alice's role dropped", func() bool { return !e.roleExists(t, creds.User) })
	// The runner forgets the role once it is gone from the server: just after.
	waitFor(t, time.Second, "alice's role forgotten", func() bool {
		roles, err := e.st.AccessRoles(ctx, db.ID)
		return err == nil && len(roles) == 1
	})
	roles, err := e.st.AccessRoles(ctx, db.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 1 || roles[0].UserID != owner.ID {
		t.Errorf("roles wanted after alice left and bob's invitation went: %+v; want the owner's only", roles)
	}
	var members int
	if err := e.admin.QueryRow(ctx, `SELECT count(*) FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid
		WHERE g.rolname = $1 AND am.member <> (SELECT oid FROM pg_roles WHERE rolname = current_user)`, roles[0].GroupRole).Scan(&members); err != nil {
		t.Fatal(err)
	}
	if members != 1 {
		t.Errorf("the group has %d members on the server, want 1 (the owner)", members)
	}
}

func TestTransferChangesNoRole(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice := e.user(t, "owner"), e.user(t, "alice")
	db := e.database(t, owner)
	e.member(t, owner, db, alice)
	before := e.activeCredentials(t, alice, db)
	if _, err := e.svc.TransferOwnership(ctx, owner.ID, db.Name, alice.Email); err != nil {
		t.Fatal(err)
	}
	after, err := e.svc.Credentials(ctx, alice.ID, db.Name)
	if err != nil || after.User != before.User {
		t.Errorf("alice's credentials after the transfer: %+v, %v; want the same user %s", after, err, before.User)
	}
	if _, err := e.svc.Credentials(ctx, owner.ID, db.Name); err != nil {
		t.Errorf("the former owner's credentials: %v", err)
	}
}

// With PostgreSQL stopped, an accept and then a revocation succeed in the dashboard; once
// it is back the revocation goes first, within 10 s, then the grant.
func TestRevocationWhilePostgresIsDownAppliesWithinTenSecondsOfItsReturn(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice, bob := e.user(t, "owner"), e.user(t, "alice"), e.user(t, "bob")
	db := e.database(t, owner)
	row := e.member(t, owner, db, alice)
	creds := e.activeCredentials(t, alice, db)
	_, bobToken := e.invite(t, owner, db, bob)

	if err := e.cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			e.cluster.Restart()
		}
	})
	if _, err := e.svc.AcceptInvitation(ctx, bob.ID, bobToken); err != nil {
		t.Fatalf("accepting while PostgreSQL is down: %v", err)
	}
	if _, err := e.svc.Revoke(ctx, owner.ID, db.Name, row.ID); err != nil {
		t.Fatalf("revoking while PostgreSQL is down: %v", err)
	}
	states, removing := e.states(t, owner, db)
	if !slices.Equal(removing, []string{alice.Email}) || states[bob.ID].State != service.AccessGranting {
		t.Errorf("while down: bob %v, still being removed %v; want bob being granted, alice listed", states[bob.ID], removing)
	}
	time.Sleep(3 * time.Second) // a few failed attempts and backoff
	if err := e.cluster.Restart(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	back := time.Now()
	waitFor(t, 10*time.Second, "alice's role dropped after PostgreSQL's return", func() bool {
		_, removing := e.states(t, owner, db)
		return len(removing) == 0
	})
	t.Logf("applied %v after PostgreSQL's return", time.Since(back))
	e.admin = reconnect(t, e)
	if e.roleExists(t, creds.User) {
		t.Error("alice's role still exists")
	}
	waitFor(t, 10*time.Second, "bob's role active", func() bool {
		states, _ := e.states(t, owner, db)
		return states[bob.ID].State == service.AccessActive
	})
	if got := e.jobsDone(t); len(got) < 2 || !slices.Equal(got[len(got)-2:], []string{store.JobRevokeAccess, store.JobGrantAccess}) {
		t.Errorf("access jobs done, in order: %v; want alice's revocation before bob's grant", got)
	}
}

func TestCreateDatabaseRefusedByThePostgresServerCreatesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner := e.user(t, "owner")
	taken := uniqueName("taken")
	if _, err := e.admin.Exec(ctx, `CREATE DATABASE `+`"`+taken+`"`); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, name, wantMessage string) {
		t.Helper()
		_, err := e.svc.CreateDatabase(ctx, owner.ID, service.NewDatabaseInput{Name: name, Plan: service.Plans[0].ID})
		if got := service.ByField(err)["name"]; got != wantMessage {
			t.Errorf("error next to the name: %q (%v), want %q", got, err, wantMessage)
		}
		if dbs, _ := e.svc.Databases(ctx, owner.ID); len(dbs) != 0 {
			t.Errorf("databases in the store: %v, want none", dbs)
		}
		if ads, _ := e.st.AccessDatabases(ctx); len(ads) != 0 {
			t.Errorf("access databases in the store: %v, want none", ads)
		}
	}
	t.Run("name taken on the server", func(t *testing.T) {
		check(t, taken, "A database already has this name on the PostgreSQL server; choose another")
		var groups int
		e.admin.QueryRow(ctx, `SELECT count(*) FROM pg_roles WHERE rolname LIKE 'dbc\_g\_%' AND NOT EXISTS
			(SELECT 1 FROM pg_database WHERE datdba = pg_roles.oid)`).Scan(&groups)
		if groups != 0 {
			t.Errorf("%d group roles left without a database", groups)
		}
	})
	t.Run("server down", func(t *testing.T) {
		if err := e.cluster.Stop(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := e.cluster.Restart(); err != nil {
				t.Fatal(err)
			}
		}()
		check(t, uniqueName("down"), "The PostgreSQL server could not create the database; try again later")
	})
}

func TestHostileDatabaseNameIsQuoted(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	hostile := `x"; DROP ROLE postgres; --'` + uniqueName("")
	d := store.AccessDatabase{PgName: hostile, GroupRole: "dbc_g_hostile" + strings.ReplaceAll(uniqueName(""), "-", "")}
	if err := e.pg.CreateDatabase(ctx, d); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := e.admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, hostile).Scan(&n); err != nil || n != 1 {
		t.Errorf("database named %q: %d, %v; want it, named exactly that", hostile, n, err)
	}
	if !e.roleExists(t, "postgres") {
		t.Error("the postgres role is gone")
	}
	if err := e.pg.DropDatabase(ctx, d); err != nil {
		t.Fatal(err)
	}
	// The rules refuse such a name before any SQL.
	owner := e.user(t, "owner")
	_, err := e.svc.CreateDatabase(ctx, owner.ID, service.NewDatabaseInput{Name: hostile, Plan: service.Plans[0].ID})
	if service.ByField(err)["name"] == "" {
		t.Errorf("CreateDatabase(%q) = %v, want an error next to the name", hostile, err)
	}
}

func TestHostileEmailNeverShapesARoleName(t *testing.T) {
	e := newEnv(t)
	owner := e.user(t, "owner")
	db := e.database(t, owner)
	u, err := e.svc.Signup(t.Context(), service.SignupInput{Email: `o'brien+x@example.com`, Username: "obrien", Password: "password-obrien"})
	if err != nil {
		t.Fatal(err)
	}
	e.member(t, owner, db, u)
	creds := e.activeCredentials(t, u, db)
	if !strings.HasPrefix(creds.User, "dbc_m_") || strings.Contains(creds.User, "brien") {
		t.Errorf("role name %q, want a generated dbc_m_ name", creds.User)
	}
}

func TestCredentialsErrors(t *testing.T) {
	e := newEnvRunning(t, false)
	ctx := t.Context()
	owner := e.user(t, "owner")
	db := e.database(t, owner)
	if _, err := e.svc.Credentials(ctx, owner.ID, db.Name); !errors.Is(err, service.ErrAccessNotReady) {
		t.Errorf("before the grant ran: err = %v, want ErrAccessNotReady", err)
	}
	states, _ := e.states(t, owner, db)
	if states[owner.ID].State != service.AccessGranting {
		t.Errorf("owner's state before the grant ran: %v, want granting", states[owner.ID])
	}
	e.svc.Postgres = nil
	if _, err := e.svc.Credentials(ctx, owner.ID, db.Name); !errors.Is(err, service.ErrNoPostgres) {
		t.Errorf("without PostgreSQL: err = %v, want ErrNoPostgres", err)
	}
	if _, err := e.svc.Credentials(ctx, owner.ID, "nope"); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("unknown database: err = %v, want ErrNotFound", err)
	}
}

// Deleting an account removes its real access as leaving does: its sessions end and its
// role goes; the role's row, which outlives the account with its address, goes with it.
func TestDeletingAnAccountDropsItsRoles(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice := e.user(t, "owner"), e.user(t, "alice")
	db := e.database(t, owner)
	e.member(t, owner, db, alice)
	creds := e.activeCredentials(t, alice, db)
	conn, err := e.login(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `RESET ROLE; CREATE TABLE own (v int)`); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteAccount(ctx, alice.ID, service.AccountDeletion{Password: "password-alice", Email: alice.Email}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "alice's role dropped, her own table given away", func() bool { return !e.roleExists(t, creds.User) })
	waitFor(t, time.Second, "no longer listed as being removed", func() bool {
		_, removing := e.states(t, owner, db)
		return len(removing) == 0
	})
}
