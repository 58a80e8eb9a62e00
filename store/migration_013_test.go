package store

import (
	"context"
	"testing"
	"time"
)

// TestMigration013KeepsEventsAndTheirTriggers: the events table rebuilt for
// 'transferred' keeps its rows, and the version triggers of 004 come back with it.
func TestMigration013KeepsEventsAndTheirTriggers(t *testing.T) {
	sqliteOnly(t, "migrates an old SQLite file")
	s := openMigratedFrom007(t,
		`INSERT INTO users (id, email, username, password_hash, created_at) VALUES (1, 'owner@example.com', 'owner', 'x', 1)`,
		`INSERT INTO databases (id, name, plan, owner_id, created_at) VALUES ('db1', 'orders', 'p', 1, 1)`,
		`INSERT INTO events (database_id, type, actor_id, target, at) VALUES ('db1', 'invited', 1, 'bob@example.com', 1)`,
	)
	ctx := context.Background()
	if err := s.Tx(ctx, func(tx WriteTx) error {
		return tx.InsertEvent(ctx, Event{DatabaseID: "db1", Type: EventTransferred, ActorID: 1, Target: "bob@example.com", At: time.Unix(2, 0)})
	}); err != nil {
		t.Fatalf("a transfer event: %v", err)
	}
	events, err := s.Events(ctx, "db1", 10, 0)
	if err != nil || len(events) != 2 || events[0].Type != EventTransferred || events[1].Type != EventInvited {
		t.Fatalf("events %+v, %v; want the invitation kept and the transfer", events, err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN
		('users_version_on_update', 'events_version_on_insert', 'events_version_on_update', 'events_version_on_delete')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d of the 4 triggers that read or watch events are there", n)
	}
}
