package store

import (
	"context"
	"testing"
	"time"

	"dbcollab/internal/testkit"
)

// BenchmarkFreshReads is what each signed-in view of a database page reads afresh: its
// session with the user and the membership with the database's version, apart and in
// one query (SessionInDatabase, as the pages read them now), next to the least a read
// through the store can cost: one column of one row by primary key,
// and a statement that reads no table. Each runs as a prepared statement in its own
// read transaction, as the requests make them (README, Performance).
func BenchmarkFreshReads(b *testing.B) {
	ctx := context.Background()
	s, _ := openTestStore(b)
	u, db := ownerWithDatabase(b, s, "db_floor", "floor")
	hash := []byte("session-hash")
	now := time.Now()
	err := s.Tx(ctx, func(tx WriteTx) error {
		return tx.InsertSession(ctx, &Session{UserID: u.ID, TokenHash: hash, CreatedAt: now, LastSeenAt: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	reads := []struct {
		name string
		read func() error
	}{
		{"no table", func() error {
			var one int
			return s.q.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
		}},
		{"one column by primary key", func() error {
			var id int64
			return s.q.QueryRowContext(ctx, `SELECT id FROM users WHERE id = ?`, u.ID).Scan(&id)
		}},
		{"SessionByHash", func() error {
			_, _, err := s.SessionByHash(ctx, hash)
			return err
		}},
		{"DatabaseForMember", func() error {
			_, err := s.DatabaseForMember(ctx, db.Name, u.ID)
			return err
		}},
		{"SessionInDatabase", func() error {
			_, _, _, _, err := s.SessionInDatabase(ctx, hash, db.Name)
			return err
		}},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			testkit.Loop(b, func() {
				if err := r.read(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// ownerWithDatabase stores an account, ada, owning a database of id and name, for the
// benchmarks of a view's reads.
func ownerWithDatabase(b *testing.B, s *Store, id, name string) (User, Database) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	u := User{Email: "ada@example.com", Username: "ada", PasswordHash: "x", CreatedAt: now}
	db := Database{ID: id, Name: name, Plan: "plan", CreatedAt: now}
	err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		db.OwnerID = u.ID
		if err := tx.CreateDatabase(ctx, db); err != nil {
			return err
		}
		return tx.InsertCollaborator(ctx, &Collaborator{DatabaseID: db.ID, Email: u.Email, UserID: u.ID,
			Status: StatusOwner, InvitedAt: now, AcceptedAt: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	return u, db
}
