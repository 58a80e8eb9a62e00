package access_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/store"
)

func TestReconcileRepairsDriftAndTouchesNothingUnmarked(t *testing.T) {
	e := newEnvRunning(t, false)
	ctx := t.Context()
	owner, alice := e.user(t, "owner"), e.user(t, "alice")
	db := e.database(t, owner)
	e.member(t, owner, db, alice)
	if err := e.pg.Reconcile(ctx); err != nil {
		t.Fatalf("first reconcile grants the pending roles: %v", err)
	}
	creds, err := e.svc.ResetCredentials(ctx, alice.ID, db.Name)
	if err != nil {
		t.Fatal(err)
	}

	// Drift: alice's role dropped by hand, a marked member role nobody has, a role made
	// by hand with a look-alike name and no mark.
	if _, err := e.admin.Exec(ctx, fmt.Sprintf(`DROP ROLE %q`, creds.User)); err != nil {
		t.Fatal(err)
	}
	var mark string
	if err := e.admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1`,
		mustCredentials(t, e, owner, db).User).Scan(&mark); err != nil {
		t.Fatal(err)
	}
	stray, handmade := "dbc_m_stray"+suffix(), "dbc_m_handmade"+suffix()
	if _, err := e.admin.Exec(ctx, fmt.Sprintf(`CREATE ROLE %s LOGIN; COMMENT ON ROLE %[1]s IS '%s'; CREATE ROLE %s LOGIN`, stray, mark, handmade)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.admin.Exec(context.Background(), `DROP ROLE IF EXISTS `+handmade) })

	if err := e.pg.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := e.login(ctx, creds)
	if err != nil {
		t.Errorf("alice's role, dropped by hand, is back with her password: %v", err)
	} else {
		c.Close(ctx)
	}
	if e.roleExists(t, stray) {
		t.Error("a marked role matching no member is still there")
	}
	if !e.roleExists(t, handmade) {
		t.Error("a role without the mark was dropped")
	}

	t.Run("twice changes nothing", func(t *testing.T) {
		before := e.version(t, db)
		if err := e.pg.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		if after := e.version(t, db); after != before {
			t.Errorf("version moved from %d to %d on a reconcile with nothing to do", before, after)
		}
	})

	t.Run("a dropped database comes back", func(t *testing.T) {
		if _, err := e.admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE %q WITH (FORCE)`, db.Name)); err != nil {
			t.Fatal(err)
		}
		if err := e.pg.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := e.login(ctx, creds)
		if err != nil {
			t.Fatalf("alice logs in to the database made again: %v", err)
		}
		c.Close(ctx)
	})
}

func TestDeletingADatabaseDropsItAndItsRoles(t *testing.T) {
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
	ad, err := e.st.AccessDatabase(ctx, db.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DeleteDatabase(ctx, owner.ID, db.Name); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "database and roles dropped", func() bool {
		var n int
		e.admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, db.Name).Scan(&n)
		return n == 0 && !e.roleExists(t, creds.User) && !e.roleExists(t, ad.GroupRole)
	})
	if err := conn.Ping(ctx); err == nil {
		t.Error("alice's session survives the drop")
	}
}

func TestDatabaseStatsCountSessionsByMember(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice := e.user(t, "owner"), e.user(t, "alice")
	db := e.database(t, owner)
	e.member(t, owner, db, alice)
	creds := e.activeCredentials(t, alice, db)
	for range 2 {
		c, err := e.login(ctx, creds)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
	}
	m, err := e.svc.Membership(ctx, owner.ID, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := e.svc.DatabaseStats(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if stats.SizeBytes <= 0 || stats.Sessions[alice.ID] != 2 || stats.Sessions[owner.ID] != 0 {
		t.Errorf("stats = %+v, want a size and alice's 2 sessions", stats)
	}
}

func TestDemoDatabaseIsCreatedOnTheServer(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if seeded, err := e.svc.SeedDemo(ctx); err != nil || !seeded {
		t.Fatalf("SeedDemo = %v, %v", seeded, err)
	}
	owner, err := e.st.UserByEmail(ctx, "user1@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var c service.Credentials
	waitFor(t, 5*time.Second, "the demo owner's role", func() bool {
		c, err = e.svc.ResetCredentials(ctx, owner.ID, service.DemoDatabase)
		return err == nil
	})
	conn, err := e.login(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
}

func mustCredentials(t testing.TB, e *env, u store.User, db store.Database) service.Credentials {
	t.Helper()
	c, err := e.svc.Credentials(context.Background(), u.ID, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func suffix() string { return fmt.Sprint(time.Now().UnixNano()) }

// version is db's version, which moves with what its Collaborators tab shows.
func (e *env) version(t testing.TB, db store.Database) int64 {
	t.Helper()
	d, err := e.st.DatabaseByID(context.Background(), db.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d.Version
}
