package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

// fakePostgres is a PostgreSQL server that creates what it is asked to, or refuses.
type fakePostgres struct {
	refuse  error
	created []string
}

func (f *fakePostgres) Address() (string, int) { return "pg.example.com", 5432 }
func (f *fakePostgres) CreateDatabase(_ context.Context, d store.AccessDatabase) error {
	if f.refuse != nil {
		return f.refuse
	}
	f.created = append(f.created, d.PgName)
	return nil
}
func (f *fakePostgres) DropDatabase(context.Context, store.AccessDatabase) error { return nil }
func (f *fakePostgres) SetVerifier(context.Context, string, string) error        { return nil }
func (f *fakePostgres) Stats(context.Context, string) (int64, map[string]int, error) {
	return 0, nil, nil
}

func TestCredentialsURIHasNoPasswordAndEscapes(t *testing.T) {
	c := service.Credentials{Host: "::1", Port: 5432, Database: "my-db", User: "dbc_m_1", Password: "s3cret"}
	if got, want := c.URI(), "postgresql://dbc_m_1@[::1]:5432/my-db"; got != want {
		t.Errorf("URI = %q, want %q", got, want)
	}
	c = service.Credentials{Host: "db.example.com", Port: 6432, Database: "a/b?c", User: "u@x"}
	if got, want := c.URI(), "postgresql://u%40x@db.example.com:6432/a%2Fb%3Fc"; got != want {
		t.Errorf("URI = %q, want %q", got, want)
	}
}

func TestWithoutPostgresEveryMemberHasNoAccessState(t *testing.T) {
	w := newWorld(t)
	m, err := w.svc.Membership(t.Context(), w.owner.ID, dbName)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := w.svc.Collaborators(t.Context(), w.owner.ID, dbName)
	if err != nil {
		t.Fatal(err)
	}
	states, removing, err := w.svc.AccessStates(t.Context(), m, service.MemberIDs(rows))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]service.MemberAccess{w.owner.ID: {State: service.AccessNone}, w.collaborator.ID: {State: service.AccessNone}}
	if len(states) != len(want) || states[w.owner.ID] != want[w.owner.ID] || states[w.collaborator.ID] != want[w.collaborator.ID] || len(removing) != 0 {
		t.Errorf("states = %v, %v; want none for the owner and the accepted collaborator only", states, removing)
	}
	if w.svc.PostgresAttached() {
		t.Error("PostgresAttached without a server")
	}
	if _, err := w.svc.Credentials(t.Context(), w.owner.ID, dbName); !errors.Is(err, service.ErrNoPostgres) {
		t.Errorf("Credentials: err = %v, want ErrNoPostgres", err)
	}
	if _, err := w.svc.DatabaseStats(t.Context(), m); !errors.Is(err, service.ErrNoPostgres) {
		t.Errorf("DatabaseStats: err = %v, want ErrNoPostgres", err)
	}
}

func TestAccessStatesFollowTheMembershipAndItsFailures(t *testing.T) {
	svc, st, _, _ := newService(t)
	pg := &fakePostgres{}
	svc.Postgres = pg
	ctx := t.Context()
	owner, alice := signup(t, svc, "owner"), signup(t, svc, "alice")
	db, err := svc.CreateDatabase(ctx, owner.ID, service.NewDatabaseInput{Name: dbName, Plan: service.Plans[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pg.created, []string{dbName}) {
		t.Fatalf("created on the server: %v", pg.created)
	}
	_, row, err := svc.Invite(ctx, owner.ID, dbName, alice.Email)
	if err != nil {
		t.Fatal(err)
	}
	token := linkToken(t, takeEmailTo(t, st, alice.Email))
	m, _ := svc.Membership(ctx, owner.ID, dbName)
	states := func() (map[int64]service.MemberAccess, []string) {
		t.Helper()
		_, rows, err := svc.Collaborators(ctx, owner.ID, dbName)
		if err != nil {
			t.Fatal(err)
		}
		s, r, err := svc.AccessStates(ctx, m, service.MemberIDs(rows))
		if err != nil {
			t.Fatal(err)
		}
		return s, r
	}
	if s, _ := states(); len(s) != 1 || s[owner.ID].State != service.AccessGranting {
		t.Errorf("after the creation: %v, want the owner granting and no role for the invitee", s)
	}
	if _, err := svc.AcceptInvitation(ctx, alice.ID, token); err != nil {
		t.Fatal(err)
	}
	role, err := st.LiveAccessRole(ctx, db.ID, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := st.Tx(ctx, func(tx store.WriteTx) error {
			return tx.RecordAccessRoleFailure(ctx, role.RoleName, "connection refused")
		}); err != nil {
			t.Fatal(err)
		}
	}
	if s, _ := states(); s[alice.ID] != (service.MemberAccess{State: service.AccessFailing, Error: "connection refused"}) {
		t.Errorf("after 3 failures: %v, want failing with the error", s[alice.ID])
	}
	if _, err := svc.Revoke(ctx, owner.ID, dbName, row.ID); err != nil {
		t.Fatal(err)
	}
	if s, removing := states(); len(s) != 1 || !slices.Equal(removing, []string{alice.Email}) {
		t.Errorf("after the revocation: %v, still being removed %v; want alice listed as still being removed", s, removing)
	}
}

func TestCreateDatabaseRefusedByPostgresStoresNothing(t *testing.T) {
	svc, st, _, _ := newService(t)
	owner := signup(t, svc, "owner")
	for _, c := range []struct {
		refuse error
		want   string
	}{
		{service.ErrPostgresNameTaken, "A database already has this name on the PostgreSQL server; choose another"},
		{service.ErrPostgresUnavailable, "The PostgreSQL server could not create the database; try again later"},
	} {
		svc.Postgres = &fakePostgres{refuse: c.refuse}
		_, err := svc.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: dbName, Plan: service.Plans[0].ID})
		if got := service.ByField(err)["name"]; got != c.want {
			t.Errorf("refused with %v: error next to the name %q, want %q", c.refuse, got, c.want)
		}
		if dbs, _ := svc.Databases(t.Context(), owner.ID); len(dbs) != 0 {
			t.Errorf("refused with %v: the store has %v", c.refuse, dbs)
		}
		if roles, _ := st.AccessRoles(t.Context(), ""); len(roles) != 0 {
			t.Errorf("refused with %v: roles wanted %v", c.refuse, roles)
		}
	}
}

// takeEmailTo drains the outbox and returns the one e-mail to to.
func takeEmailTo(t *testing.T, st *store.Store, to string) store.Email {
	t.Helper()
	for _, e := range drainOutbox(t, st) {
		if e.To == to {
			return e
		}
	}
	t.Fatalf("no e-mail to %s", to)
	return store.Email{}
}
