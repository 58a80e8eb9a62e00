package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
)

func TestAcceptGivesALoginRoleWithinASecond(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	owner, alice, bob := e.user(t, "owner"), e.user(t, "alice"), e.user(t, "bob")
	db := e.database(t, owner)
	ownerCreds := e.activeCredentials(t, owner, db)

	_, token := e.invite(t, owner, db, alice)
	e.invite(t, owner, db, bob) // pending: no role
	if _, err := e.svc.AcceptInvitation(ctx, alice.ID, token); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, time.Second, "alice's role active", func() bool {
		states, _ := e.states(t, owner, db)
		return states[alice.ID].State == service.AccessActive
	})
	t.Logf("accept to active: %v", took)
	creds := e.activeCredentials(t, alice, db)
	conn, err := e.login(ctx, creds)
	if err != nil {
		t.Fatalf("alice logs in: %v", err)
	}
	defer conn.Close(ctx)

	states, removing := e.states(t, owner, db)
	if len(states) != 2 || states[owner.ID].State != service.AccessActive || len(removing) != 0 {
		t.Errorf("states = %v, still being removed %v; want owner and alice active, bob absent", states, removing)
	}
	if _, err := e.svc.Credentials(ctx, bob.ID, db.Name); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("pending bob's credentials: err = %v, want ErrNotFound", err)
	}

	t.Run("the role has no privilege but its group's", func(t *testing.T) {
		var super, createDB, createRole, replication, bypassRLS, login bool
		err := e.admin.QueryRow(ctx, `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin
			FROM pg_roles WHERE rolname = $1`, creds.User).Scan(&super, &createDB, &createRole, &replication, &bypassRLS, &login)
		if err != nil {
			t.Fatal(err)
		}
		if super || createDB || createRole || replication || bypassRLS || !login {
			t.Errorf("alice's role: super %v createdb %v createrole %v replication %v bypassrls %v login %v",
				super, createDB, createRole, replication, bypassRLS, login)
		}
		var owner, acl string
		err = e.admin.QueryRow(ctx, `SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = $1`, db.Name).Scan(&owner, &acl)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(owner, "dbc_g_") || strings.Contains(acl, "{=") || strings.Contains(acl, ",=") {
			t.Errorf("database owner %s, ACL %s: want a dbc_g_ group, nothing for PUBLIC", owner, acl)
		}
	})

	t.Run("what a member creates belongs to the group", func(t *testing.T) {
		if _, err := conn.Exec(ctx, `CREATE TABLE notes (body text)`); err != nil {
			t.Fatal(err)
		}
		var tableOwner string
		if err := conn.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE tablename = 'notes'`).Scan(&tableOwner); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tableOwner, "dbc_g_") {
			t.Errorf("notes is owned by %s, want the group", tableOwner)
		}
		owners, err := e.login(ctx, ownerCreds)
		if err != nil {
			t.Fatal(err)
		}
		defer owners.Close(ctx)
		if _, err := owners.Exec(ctx, `INSERT INTO notes VALUES ('from the owner')`); err != nil {
			t.Errorf("the owner writes alice's table: %v", err)
		}
	})

	t.Run("a reset password replaces the old one", func(t *testing.T) {
		fresh, err := e.svc.ResetCredentials(ctx, alice.ID, db.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.login(ctx, creds); err == nil {
			t.Error("the old password still logs in")
		}
		c, err := e.login(ctx, fresh)
		if err != nil {
			t.Fatalf("the new password: %v", err)
		}
		c.Close(ctx)
		plain, err := e.svc.Credentials(ctx, alice.ID, db.Name)
		if err != nil || plain.Password != "" || plain.User != fresh.User || plain.Database != db.Name {
			t.Errorf("Credentials = %+v, %v; want alice's user, no password", plain, err)
		}
	})

	t.Run("a stranger has no role", func(t *testing.T) {
		stranger := e.user(t, "stranger")
		if _, err := e.svc.Credentials(context.Background(), stranger.ID, db.Name); !errors.Is(err, service.ErrNotFound) {
			t.Errorf("stranger's credentials: err = %v, want ErrNotFound", err)
		}
	})
}
