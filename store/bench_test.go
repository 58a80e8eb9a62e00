package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"dbcollab/internal/testkit"
	"dbcollab/store"
	"dbcollab/store/storetest"
)

// benchDatabase opens a fresh store holding one database with its owner and rows more
// collaborators.
func benchDatabase(b *testing.B, rows int) (*store.Store, store.Database) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	owner := store.User{Email: "owner@example.com", Username: "owner", PasswordHash: "!", CreatedAt: now}
	db := store.Database{ID: "db_bench", Name: "bench", Plan: "plan", CreatedAt: now}
	err = st.Tx(ctx, func(tx store.WriteTx) error {
		if err := tx.CreateUser(ctx, &owner); err != nil {
			return err
		}
		db.OwnerID = owner.ID
		if err := tx.CreateDatabase(ctx, db); err != nil {
			return err
		}
		return tx.InsertCollaborator(ctx, &store.Collaborator{DatabaseID: db.ID, Email: owner.Email,
			UserID: owner.ID, Status: store.StatusOwner, InvitedAt: now, AcceptedAt: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := storetest.AddCollaborators(ctx, st, db, "person", rows); err != nil {
		b.Fatal(err)
	}
	return st, db
}

// BenchmarkCollaborators is the list query behind the Collaborators tab.
func BenchmarkCollaborators(b *testing.B) {
	for _, rows := range []int{100, 1000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			st, db := benchDatabase(b, rows)
			ctx := context.Background()
			testkit.Loop(b, func() {
				list, err := st.Collaborators(ctx, db.ID)
				if err != nil || len(list) != rows+1 {
					b.Fatalf("%d rows, %v", len(list), err)
				}
			})
		})
	}
}

// BenchmarkDatabaseForMember is the membership check every database page starts with.
func BenchmarkDatabaseForMember(b *testing.B) {
	st, db := benchDatabase(b, 100)
	ctx := context.Background()
	testkit.Loop(b, func() {
		if _, err := st.DatabaseForMember(ctx, db.Name, db.OwnerID); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkEvents is one page of the tab's Activity.
func BenchmarkEvents(b *testing.B) {
	st, db := benchDatabase(b, 100)
	ctx := context.Background()
	testkit.Loop(b, func() {
		if _, err := st.Events(ctx, db.ID, 26, 0); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCollaboratorsPage is the first page of 50 rows behind the Collaborators tab,
// with the count of all: it should cost about the same at 3 rows and at 10,000.
func BenchmarkCollaboratorsPage(b *testing.B) {
	for _, rows := range []int{3, 10000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			st, db := benchDatabase(b, rows)
			ctx := context.Background()
			testkit.Loop(b, func() {
				list, total, err := st.CollaboratorsPage(ctx, db.ID, store.RowFilter{Limit: 50})
				if err != nil || total != rows+1 || len(list) != min(rows+1, 50) {
					b.Fatalf("%d rows of %d, %v", len(list), total, err)
				}
			})
		})
	}
}
