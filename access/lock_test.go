package access

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"dbcollab/internal/pgtest"
	"dbcollab/internal/teststore"
	"dbcollab/store"
)

// A job of one instance waits while another reconciles, and jobs do not wait for each other.
func TestAJobWaitsWhileAnotherInstanceReconciles(t *testing.T) {
	cluster := pgtest.Start(t)
	path := teststore.DSN(t)
	var servers []*Server
	for range 2 {
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		s, err := New(cluster.AdminURL(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		servers = append(servers, s)
	}
	a, b := servers[0], servers[1]
	ctx := t.Context()
	hold := func(s *Server, shared bool) (held <-chan struct{}, release func()) {
		h, r := make(chan struct{}), make(chan struct{})
		go s.holdingLock(ctx, shared, func() error {
			close(h)
			<-r
			return nil
		})
		return h, func() { close(r) }
	}
	within := func(ch <-chan struct{}, d time.Duration) bool {
		select {
		case <-ch:
			return true
		case <-time.After(d):
			return false
		}
	}

	reconciling, endReconcile := hold(a, false)
	if !within(reconciling, 5*time.Second) {
		t.Fatal("A's reconcile never took the lock")
	}
	job, endJob := hold(b, true)
	if within(job, 300*time.Millisecond) {
		t.Fatal("B's job ran while A reconciled")
	}
	endReconcile()
	if !within(job, 5*time.Second) {
		t.Fatal("B's job did not run once A's reconcile ended")
	}
	other, endOther := hold(a, true)
	if !within(other, 5*time.Second) {
		t.Fatal("A's job waited for B's")
	}
	endJob()
	endOther()
	if err := a.Reconcile(context.Background()); err != nil {
		t.Fatalf("a reconcile after the jobs: %v", err)
	}
}
