package store

import (
	"context"
	"testing"
)

// TestMigration021KeepsAccessRolesAndLetsThemOutliveTheirAccount: the roles of a file
// from before 021 are all still there, and deleting an account now keeps its role being
// revoked, by address, where it went with the account before.
func TestMigration021KeepsAccessRolesAndLetsThemOutliveTheirAccount(t *testing.T) {
	sqliteOnly(t, "migrates an old SQLite file")
	s := openMigratedFrom(t, "021",
		`INSERT INTO users (id, email, username, password_hash, created_at) VALUES (1, 'owner@example.com', 'owner', 'x', 1), (2, 'bob@example.com', 'bob', 'x', 1)`,
		`INSERT INTO databases (id, name, plan, owner_id, created_at) VALUES ('db1', 'orders', 'p', 1, 1)`,
		`INSERT INTO access_databases (database_id, pg_name, group_role, created_at) VALUES ('db1', 'orders', 'dbc_g_1', 1)`,
		`INSERT INTO access_roles (database_id, user_id, role_name, state, verifier, created_at) VALUES
			('db1', 1, 'dbc_m_owner', 'active', 'v1', 1),
			('db1', 2, 'dbc_m_bob', 'revoking', 'v2', 1)`,
	)
	ctx := context.Background()
	roles, err := s.AccessRoles(ctx, "db1")
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 2 || roles[0].Email != "owner@example.com" || roles[1].Email != "bob@example.com" || roles[1].State != AccessRevoking {
		t.Fatalf("roles after the migration: %+v", roles)
	}
	bob, err := s.UserByID(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.DeleteUser(ctx, bob, testClock) }); err != nil {
		t.Fatal(err)
	}
	role, err := s.AccessRoleByName(ctx, "dbc_m_bob")
	if err != nil {
		t.Fatalf("bob's role being revoked went with his account: %v", err)
	}
	if role.UserID != 0 || role.Email != "bob@example.com" {
		t.Errorf("bob's role: user %d, %q; want no user and his address", role.UserID, role.Email)
	}
}
