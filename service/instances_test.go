package service_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

// twoInstances returns two services on one store, as two dbcollab processes on one
// store run, sharing clock.
func twoInstances(t *testing.T, clock *servicetest.Clock) (*service.Service, *service.Service) {
	t.Helper()
	path := teststore.DSN(t)
	var svcs []*service.Service
	for range 2 {
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svcs = append(svcs, &service.Service{Store: st, BaseURL: "http://example.test", PasswordCost: bcrypt.MinCost,
			Now: clock.Now, InviteTTL: time.Hour, InviteLimit: 0, InviteLimitPerInviter: 1000, InviteLimitPerRecipient: 1000})
	}
	return svcs[0], svcs[1]
}

// Both instances sweep, at the same time: each expiry is recorded once, and no sweep fails.
func TestTwoInstancesSweepingAtOnceRecordEachExpiryOnce(t *testing.T) {
	clock := servicetest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	a, b := twoInstances(t, clock)
	owner := signup(t, a, "owner")
	if _, err := a.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: "orders", Plan: service.Plans[0].ID}); err != nil {
		t.Fatal(err)
	}
	const invitations = 30
	for i := range invitations {
		if _, _, err := a.Invite(t.Context(), owner.ID, "orders", fmt.Sprintf("guest%d@example.com", i)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Hour)

	var mu sync.Mutex
	recorded := 0
	var wg sync.WaitGroup
	for i := range 8 {
		svc := []*service.Service{a, b}[i%2]
		wg.Go(func() {
			n, err := svc.RecordExpiries(t.Context())
			if err != nil {
				t.Errorf("sweep %d: %v", i, err)
			}
			mu.Lock()
			recorded += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if recorded != invitations {
		t.Errorf("the sweeps say they recorded %d expiries, want %d", recorded, invitations)
	}
	expired := 0
	for page := 1; ; page++ {
		_, events, more, err := b.Events(t.Context(), owner.ID, "orders", page)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Type == store.EventExpired {
				expired++
			}
		}
		if !more {
			break
		}
	}
	if expired != invitations {
		t.Errorf("%d expired events, want %d, one per invitation", expired, invitations)
	}
}
