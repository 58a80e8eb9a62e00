package store

import (
	"context"
	"strings"
	"testing"

	"dbcollab/internal/testkit"
)

// BenchmarkTabCacheKey measures the two ways issue 13 offers for a cached Collaborators
// tab to learn of a write made on another instance. As it is, every view's membership
// check also reads the database's version, which the write's transaction moves. With
// LISTEN/NOTIFY the check would read the membership alone and each write would notify
// every instance instead. Each read runs as a prepared statement in its own read
// transaction, as views make them; each write is a transaction of its own.
//
//	DBCOLLAB_TEST_STORE=postgres go test ./store -run '^$' -bench TabCacheKey -benchtime 20000x -count 3
func BenchmarkTabCacheKey(b *testing.B) {
	ctx := context.Background()
	s, _ := openTestStore(b)
	u, db := ownerWithDatabase(b, s, "db_cache", "cache")
	// DatabaseForMember's query without the version column.
	membershipOnly := `
		SELECT ` + strings.Replace(databaseColumns, "d.version, ", "", 1) + `
		FROM databases d
		JOIN users o ON o.id = d.owner_id
		JOIN collaborators m ON m.database_id = d.id
		WHERE (d.id = ? OR d.name = ?) AND m.user_id = ? AND m.status IN ('owner', 'accepted')`
	write := func(stmt string) func() error {
		return func() error {
			return s.Tx(ctx, func(tx WriteTx) error {
				_, err := tx.tx.ExecContext(ctx, stmt, db.ID)
				return err
			})
		}
	}
	cases := []struct {
		name     string
		postgres bool
		op       func() error
	}{
		{"read/membership and version (as it is)", false, func() error {
			_, err := s.DatabaseForMember(ctx, db.Name, u.ID)
			return err
		}},
		{"read/membership only (LISTEN-NOTIFY)", false, func() error {
			var d Database
			var created int64
			return s.q.QueryRowContext(ctx, membershipOnly, db.Name, db.Name, u.ID).
				Scan(&d.ID, &d.Name, &d.Plan, &d.OwnerID, &created, &d.Owner.Email, &d.Owner.Username)
		}},
		{"write/version moved (as it is)", false, write(`UPDATE databases SET version = version + 1 WHERE id = ?`)},
		{"write/NOTIFY (LISTEN-NOTIFY)", true, write(`SELECT pg_notify('dbcollab_tabs', ?)`)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.postgres && !s.pg {
				b.Skip("PostgreSQL only")
			}
			testkit.Loop(b, func() {
				if err := c.op(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
