package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// 32 writers at once, on 4 instances of the store, each count a database's invitations
// and record one more only while under the limit: the limit holds and none of them
// fails. On PostgreSQL this takes SERIALIZABLE (under READ COMMITTED every count would
// read the same old number) and running fn again on a conflict, even one fn's own error
// hides.
func TestConcurrentCountThenInsertKeepsTheLimitWithoutErrors(t *testing.T) {
	s, dsn := openTestStore(t)
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	db := createDatabase(t, s, "db_1", "orders", owner)
	const writers, limit = 32, 10
	instances := []*Store{s}
	for range 3 {
		other, err := Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		instances = append(instances, other)
	}
	for _, st := range instances {
		warmPool(t, st, writers/len(instances))
	}
	errs := make([]error, writers)
	var runs atomic.Int64
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = instances[i%len(instances)].Tx(ctx, func(tx WriteTx) error {
				runs.Add(1)
				n, err := tx.CountInvitationsSince(ctx, db.ID, time.Time{})
				if err != nil {
					return errors.New("count failed") // hides the cause
				}
				if n >= limit {
					return nil
				}
				err = tx.InsertEvent(ctx, Event{DatabaseID: db.ID, Type: EventInvited, ActorID: owner.ID,
					Target: fmt.Sprintf("m%d@example.com", i), At: testClock})
				if err != nil {
					return errors.New("insert failed")
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if n, err := s.CountInvitationsSince(ctx, db.ID, time.Time{}); err != nil || n != limit {
		t.Errorf("invitations recorded = %d, %v; want the limit, %d", n, err, limit)
	}
	t.Logf("%d runs of fn for %d transactions", runs.Load(), writers)
}

// warmPool opens n connections (at most the pool's), so that concurrent transactions start together instead
// of one by one as connections open.
func warmPool(t testing.TB, s *Store, n int) {
	t.Helper()
	var conns []*sql.Conn
	for range min(n, s.db.Stats().MaxOpenConnections) {
		c, err := s.db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

// A transaction that keeps conflicting gives up after txAttempts runs, with the
// conflict as its error.
func TestTxGivesUpAfterItsAttempts(t *testing.T) {
	s, dsn := openTestStore(t)
	if !s.pg {
		t.Skip("PostgreSQL only: SQLite transactions do not conflict")
	}
	// Another instance on the same database.
	instance, err := Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer instance.Close()
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	createDatabase(t, s, "db_1", "orders", owner)
	runs := 0
	err = s.Tx(ctx, func(tx WriteTx) error {
		runs++
		// The other instance changes the row this one read, and commits first.
		if _, err := tx.DatabaseByID(ctx, "db_1"); err != nil {
			return err
		}
		if err := instance.Tx(ctx, func(other WriteTx) error {
			_, err := other.tx.ExecContext(ctx, `UPDATE databases SET plan = ? WHERE id = ?`, fmt.Sprint(runs), "db_1")
			return err
		}); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `UPDATE databases SET plan = 'mine' WHERE id = ?`, "db_1")
		return err
	})
	if !isConflict(err) || runs != txAttempts {
		t.Errorf("Tx = %v after %d runs; want a serialization failure after %d", err, runs, txAttempts)
	}
}
