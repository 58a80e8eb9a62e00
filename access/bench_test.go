package access_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"dbcollab/access/scram"
	"dbcollab/service"
	"dbcollab/store"
)

// reportPercentiles reports the p50 and p99 of samples, in milliseconds.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(p float64) float64 {
		return float64(samples[min(len(samples)-1, int(p*float64(len(samples))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op") // the wall time includes the set-up of each member
}

// BenchmarkRevokeToDisconnect: from Revoke returning to the member's open session (busy
// in pg_sleep) being terminated. go test ./access -run '^$' -bench RevokeToDisconnect -benchtime 100x
func BenchmarkRevokeToDisconnect(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	owner := e.user(b, "owner")
	db := e.database(b, owner)
	var samples []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		u := e.user(b, fmt.Sprintf("m%d", i))
		row := e.member(b, owner, db, u)
		conn, err := e.login(ctx, e.activeCredentials(b, u, db))
		if err != nil {
			b.Fatal(err)
		}
		held := make(chan error, 1)
		go func() {
			_, err := conn.Exec(context.Background(), `SELECT pg_sleep(30)`)
			held <- err
		}()
		time.Sleep(5 * time.Millisecond)
		b.StartTimer()
		start := time.Now()
		if _, err := e.svc.Revoke(ctx, owner.ID, db.Name, row.ID); err != nil {
			b.Fatal(err)
		}
		select {
		case <-held:
		case <-time.After(10 * time.Second):
			b.Fatal("session not ended within 10 s")
		}
		samples = append(samples, time.Since(start))
		conn.Close(ctx)
	}
	reportPercentiles(b, samples)
}

// BenchmarkAcceptToLogin: from AcceptInvitation returning to the member's first
// successful log-in with the password the Connect card's reset gives.
// go test ./access -run '^$' -bench AcceptToLogin -benchtime 100x
func BenchmarkAcceptToLogin(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	owner := e.user(b, "owner")
	db := e.database(b, owner)
	var samples []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		u := e.user(b, fmt.Sprintf("m%d", i))
		_, token := e.invite(b, owner, db, u)
		b.StartTimer()
		start := time.Now()
		if _, err := e.svc.AcceptInvitation(ctx, u.ID, token); err != nil {
			b.Fatal(err)
		}
		for {
			c, err := e.svc.ResetCredentials(ctx, u.ID, db.Name)
			if errors.Is(err, service.ErrAccessNotReady) {
				time.Sleep(time.Millisecond)
				continue
			} else if err != nil {
				b.Fatal(err)
			}
			conn, err := e.login(ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			samples = append(samples, time.Since(start))
			conn.Close(ctx)
			break
		}
	}
	reportPercentiles(b, samples)
}

// reconcileWorld is one database with n members' roles wanted in the store, none on the server yet.
func reconcileWorld(b *testing.B, n int) (*env, store.AccessDatabase, []string) {
	e := newEnvRunning(b, false)
	ctx := context.Background()
	owner := e.user(b, "owner")
	db := e.database(b, owner)
	if err := e.pg.Reconcile(ctx); err != nil { // the owner's role
		b.Fatal(err)
	}
	verifier, err := scram.Verifier(scram.Password())
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	err = e.st.Tx(ctx, func(tx store.WriteTx) error {
		for i := range n {
			u := store.User{Email: fmt.Sprintf("m%d@example.com", i), Username: fmt.Sprintf("m%d", i), PasswordHash: "x", CreatedAt: time.Now()}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			r := store.AccessRole{DatabaseID: db.ID, UserID: u.ID, RoleName: fmt.Sprintf("dbc_m_bench%s_%d", db.ID[3:13], i), Verifier: verifier, CreatedAt: time.Now()}
			if err := tx.InsertAccessRole(ctx, &r); err != nil {
				return err
			}
			names = append(names, r.RoleName)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ad, err := e.st.AccessDatabase(ctx, db.ID)
	if err != nil {
		b.Fatal(err)
	}
	return e, ad, names
}

// BenchmarkReconcileFromScratch: Reconcile creating 1,000 member roles the store wants.
// go test ./access -run '^$' -bench 'Reconcile' -benchtime 3x
func BenchmarkReconcileFromScratch(b *testing.B) {
	e, _, names := reconcileWorld(b, 1000)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		for _, name := range names {
			if _, err := e.admin.Exec(ctx, `DROP ROLE IF EXISTS "`+name+`"`); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := e.pg.Reconcile(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/reconcile")
}

// BenchmarkReconcileNothingToDo: Reconcile of 1,000 members already as the store wants them.
func BenchmarkReconcileNothingToDo(b *testing.B) {
	e, _, _ := reconcileWorld(b, 1000)
	ctx := context.Background()
	if err := e.pg.Reconcile(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := e.pg.Reconcile(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/reconcile")
}
