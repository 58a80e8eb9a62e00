package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPostgresWriterGate: invitation-like transactions (count, then insert an
// event) from 32 goroutines on PostgreSQL, through the per-process writer gate SQLite
// uses or without it, each goroutine on its own database or all on one.
func BenchmarkPostgresWriterGate(b *testing.B) {
	for _, gate := range []bool{true, false} {
		for _, databases := range []int{32, 1} {
			b.Run(fmt.Sprintf("gate=%v/databases=%d", gate, databases), func(b *testing.B) {
				s := openPostgresStore(b)
				ctx := context.Background()
				owner := createUser(b, s, "owner@example.com", "owner")
				for i := range databases {
					createDatabase(b, s, fmt.Sprintf("db_%d", i), fmt.Sprintf("d%d", i), owner)
				}
				if !gate {
					s.writer = nil
				}
				warmPool(b, s, 32)
				var next, runs atomic.Int64
				b.SetParallelism(16) // 32 goroutines on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					id := fmt.Sprintf("db_%d", int(next.Add(1))%databases)
					for pb.Next() {
						err := s.Tx(ctx, func(tx WriteTx) error {
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
