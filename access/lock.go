package access

import (
	"context"
	"hash/fnv"
)

// The instances on one store share its PostgreSQL server. A reconcile reads what the
// store wants, then what the server has: a role another instance's runner granted
// between the two reads would look like one nobody wants, and be dropped. So a reconcile
// holds the instances' advisory lock on the server alone, and each job holds it shared.

// lockKey is the advisory lock of this store's instances, derived from the store's mark.
func (s *Server) lockKey() int64 {
	h := fnv.New64a()
	h.Write([]byte(s.mark("lock")))
	return int64(h.Sum64())
}

// holdingLock runs fn holding the instances' advisory lock: alone, or shared with the
// other shared holders.
func (s *Server) holdingLock(ctx context.Context, shared bool, fn func() error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	lock, unlock := "pg_advisory_lock", "pg_advisory_unlock"
	if shared {
		lock, unlock = lock+"_shared", unlock+"_shared"
	}
	if _, err := conn.Exec(ctx, `SELECT `+lock+`($1)`, s.lockKey()); err != nil {
		return err
	}
	defer func() {
		if _, err := conn.Exec(context.Background(), `SELECT `+unlock+`($1)`, s.lockKey()); err != nil {
			// Closed, the connection leaves the pool and takes the lock with it.
			conn.Conn().Close(context.Background())
		}
	}()
	return fn()
}
