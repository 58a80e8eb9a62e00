package handlers_test

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"dbcollab/handlers"
	"dbcollab/service"
	"dbcollab/store"
)

// fakePostgres stands for the attached PostgreSQL server in handler tests: it does what
// it is asked and remembers the verifiers it was given; the sessions and size it reports
// are the test's; down makes every call fail as an unreachable server does.
type fakePostgres struct {
	mu        sync.Mutex
	verifiers map[string]string // role → last verifier set
	sessions  map[string]int    // role → open sessions
	size      int64
	down      bool
}

var errFakeDown = fmt.Errorf("%w: dial tcp 127.0.0.1:5433: connect: connection refused", service.ErrPostgresUnavailable)

// withPostgres attaches fp to the harness's service, before the seed.
func withPostgres(fp *fakePostgres) harnessOption {
	return func(s *handlers.Server) { s.Service.Postgres = fp }
}

func (f *fakePostgres) Address() (string, int) { return "pg.example.test", 5433 }

func (f *fakePostgres) CreateDatabase(context.Context, store.AccessDatabase) error { return f.fail() }

func (f *fakePostgres) DropDatabase(context.Context, store.AccessDatabase) error { return f.fail() }

func (f *fakePostgres) SetVerifier(_ context.Context, role, verifier string) error {
	if err := f.fail(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.verifiers == nil {
		f.verifiers = map[string]string{}
	}
	f.verifiers[role] = verifier
	return nil
}

func (f *fakePostgres) Stats(context.Context, string) (int64, map[string]int, error) {
	if err := f.fail(); err != nil {
		return 0, nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.size, maps.Clone(f.sessions), nil
}

func (f *fakePostgres) fail() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errFakeDown
	}
	return nil
}

func (f *fakePostgres) set(change func(f *fakePostgres)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// activateAccess does what the reconciler does once PostgreSQL has the roles: every
// role of the seeded database being granted becomes active.
func (h *harness) activateAccess() {
	h.t.Helper()
	ctx := context.Background()
	roles, err := h.store.AccessRoles(ctx, h.db.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	err = h.store.Tx(ctx, func(tx store.WriteTx) error {
		for _, r := range roles {
			if r.State == store.AccessGranting {
				if err := tx.SetAccessRoleState(ctx, r.RoleName, store.AccessActive); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// accessRole is u's live role on the seeded database.
func (h *harness) accessRole(u store.User) store.AccessRole {
	h.t.Helper()
	r, err := h.store.LiveAccessRole(context.Background(), h.db.ID, u.ID)
	if err != nil {
		h.t.Fatalf("%s has no live role: %v", u.Email, err)
	}
	return r
}
