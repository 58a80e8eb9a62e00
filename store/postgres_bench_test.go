package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPostgresWriterGate: invitation-like transactions (count, then insert an
// event) from 32 goroutines on PostgreSQL, each goroutine on its own database or all on
// one: as Tx runs them there, in groups sharing a transaction (groups); one transaction
// at a time through the per-process writer gate SQLite uses (gate); or each in its own
// transaction at once (none).
func BenchmarkPostgresWriterGate(b *testing.B) {
	for _, mode := range []string{"groups", "gate", "none"} {
		for _, databases := range []int{32, 1} {
			b.Run(fmt.Sprintf("%s/databases=%d", mode, databases), func(b *testing.B) {
				s := openPostgresStore(b)
				ctx := context.Background()
				owner := createUser(b, s, "owner@example.com", "owner")
				for i := range databases {
					createDatabase(b, s, fmt.Sprintf("db_%d", i), fmt.Sprintf("d%d", i), owner)
				}
				tx := s.Tx
				if mode != "groups" {
					tx = func(ctx context.Context, fn func(WriteTx) error) error {
						return s.transact(ctx, s.stmts, s.writeOptions(), fn)
					}
				}
				if mode == "none" {
					s.writer = nil
				}
				warmPool(b, s, 32)
				var next, runs atomic.Int64
				b.SetParallelism(16) // 32 goroutines on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					id := fmt.Sprintf("db_%d", int(next.Add(1))%databases)
					for pb.Next() {
						err := tx(ctx, func(tx WriteTx) error {
							runs.Add(1)
							if _, err := tx.CountInvitationsSince(ctx, id, time.Time{}); err != nil {
								return err
							}
							return tx.InsertEvent(ctx, Event{DatabaseID: id, Type: EventInvited, ActorID: owner.ID, Target: "x@example.com", At: testClock})
						})
						if err != nil {
							b.Error(err)
						}
					}
				})
				b.ReportMetric(float64(runs.Load())/float64(b.N), "runs/op")
			})
		}
	}
}
