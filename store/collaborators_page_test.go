package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// pageOf lists the addresses of the page f chooses, and the total said.
func pageOf(t *testing.T, s *Store, db Database, f RowFilter) ([]string, int) {
	t.Helper()
	rows, total, err := s.CollaboratorsPage(context.Background(), db.ID, f)
	if err != nil {
		t.Fatalf("CollaboratorsPage(%+v): %v", f, err)
	}
	var out []string
	for _, m := range rows {
		out = append(out, m.Email)
	}
	return out, total
}

func TestCollaboratorsPageFiltersCountsAndPutsTheOwnerFirst(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	bob := createUser(t, s, "bob@example.com", "Bob_X")
	db := createDatabase(t, s, "db_1", "orders", owner)
	cutoff := testClock.Add(-7 * 24 * time.Hour) // links sent at or before it have expired
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "zed@example.com", Status: StatusPending, InvitedAt: cutoff, SentAt: cutoff})
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "bob@example.com", UserID: bob.ID, Status: StatusAccepted,
		InvitedBy: owner.ID, InvitedAt: testClock, AcceptedAt: testClock})
	gone := insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "gone@example.com", Status: StatusPending, InvitedAt: testClock, SentAt: testClock})
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, gone.ID, StatusRevoked, testClock) }); err != nil {
		t.Fatal(err)
	}
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "amy%@example.com", Status: StatusPending,
		InvitedAt: testClock, SentAt: cutoff.Add(time.Microsecond)})
	// The owner's row comes last by ID (as after a transfer of ownership), first on the page.
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: owner.Email, UserID: owner.ID, Status: StatusOwner, InvitedAt: testClock})

	for _, c := range []struct {
		name  string
		f     RowFilter
		want  []string
		total int
	}{
		{"every live row", RowFilter{}, []string{"owner@example.com", "zed@example.com", "bob@example.com", "amy%@example.com"}, 4},
		{"first page of 2", RowFilter{Limit: 2}, []string{"owner@example.com", "zed@example.com"}, 4},
		{"second page of 2", RowFilter{Limit: 2, Offset: 2}, []string{"bob@example.com", "amy%@example.com"}, 4},
		{"past the last page", RowFilter{Limit: 2, Offset: 4}, nil, 4},
		{"accepted", RowFilter{Status: StatusAccepted}, []string{"bob@example.com"}, 1},
		{"pending: sent after the cut-off", RowFilter{Status: StatusPending, ExpiredFrom: cutoff}, []string{"amy%@example.com"}, 1},
		{"expired: sent at the cut-off", RowFilter{Status: StatusExpired, ExpiredFrom: cutoff}, []string{"zed@example.com"}, 1},
		{"expired, past its only page", RowFilter{Status: StatusExpired, ExpiredFrom: cutoff, Limit: 1, Offset: 1}, nil, 1},
		{"a piece of an address", RowFilter{Search: "ed@"}, []string{"zed@example.com"}, 1},
		{"a username in any case", RowFilter{Search: "bob_x"}, []string{"bob@example.com"}, 1},
		{"% matches itself only", RowFilter{Search: "%"}, []string{"amy%@example.com"}, 1},
		{"_ matches itself only", RowFilter{Search: "_"}, []string{"bob@example.com"}, 1},
		{"a search and a status", RowFilter{Search: "example", Status: StatusPending, ExpiredFrom: cutoff}, []string{"amy%@example.com"}, 1},
		{"a search, second page", RowFilter{Search: "example", Limit: 3, Offset: 3}, []string{"amy%@example.com"}, 4},
		{"nothing matches", RowFilter{Search: "nobody"}, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total := pageOf(t, s, db, c.f)
			if !slices.Equal(got, c.want) || total != c.total {
				t.Errorf("got %q of %d, want %q of %d", got, total, c.want, c.total)
			}
		})
	}
}

// TestLiveRowsFollowEveryChange: the count the unfiltered tab says, kept by the triggers
// of migration 018, is the number of live rows after every kind of change.
func TestLiveRowsFollowEveryChange(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	check := func(step string) {
		t.Helper()
		rows, err := s.Collaborators(ctx, tm.db.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, total := pageOf(t, s, tm.db, RowFilter{Limit: 1}); total != len(rows) {
			t.Errorf("after %s: the page says %d rows, the database has %d", step, total, len(rows))
		}
	}
	check("creating the database")
	bobRow := tm.invite(t, s, "bob@example.com", "t1")
	carolRow := tm.invite(t, s, "carol@example.com", "t2")
	check("two invitations")
	tx := func(step string, f func(WriteTx) error) {
		t.Helper()
		if err := s.Tx(ctx, f); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		check(step)
	}
	tx("an acceptance", func(w WriteTx) error { return w.AcceptInvitation(ctx, bobRow.ID, tm.bob.ID, testClock) })
	tx("a transfer", func(w WriteTx) error { return w.TransferOwnership(ctx, tm.db.ID, bobRow.ID, testClock) })
	tx("a revocation", func(w WriteTx) error { return w.EndCollaboration(ctx, carolRow.ID, StatusRevoked, testClock) })
	tx("a departure", func(w WriteTx) error { return w.EndCollaboration(ctx, tm.ownerRow.ID, StatusLeft, testClock) })
	tx("a deleted row", func(w WriteTx) error {
		_, err := w.tx.ExecContext(ctx, `DELETE FROM collaborators WHERE id = ?`, bobRow.ID)
		return err
	})
	if _, total := pageOf(t, s, tm.db, RowFilter{}); total != 0 {
		t.Errorf("no live row left, the page says %d", total)
	}
}

// FuzzCollaboratorsSearch checks the search against Go's own substring test: whatever is
// searched (LIKE's % and _, quotes, NUL, any text), the rows listed are exactly those
// whose address or lower-cased username holds it.
func FuzzCollaboratorsSearch(f *testing.F) {
	for _, seed := range []string{"", "%", "_", "a%b", `\`, "'", "é", "bob_", "\x00", "example.com", "ZED"} {
		f.Add(seed)
	}
	s, _ := openTestStore(f)
	ctx := context.Background()
	var owner User
	var db Database
	usernames := map[string]string{}
	err := s.Tx(ctx, func(tx WriteTx) error {
		owner = User{Email: "owner@example.com", Username: "Owner_1", PasswordHash: "x", CreatedAt: testClock}
		if err := tx.CreateUser(ctx, &owner); err != nil {
			return err
		}
		db = Database{ID: "db_1", Name: "orders", Plan: "plan", OwnerID: owner.ID, CreatedAt: testClock}
		if err := tx.CreateDatabase(ctx, db); err != nil {
			return err
		}
		usernames[owner.Email] = owner.Username
		for _, email := range []string{owner.Email, "a%b@example.com", "c_d@example.com", `e\f@example.com`, "o'g@example.com", "é@exämple.com", "zed@example.com"} {
			m := Collaborator{DatabaseID: db.ID, Email: email, Status: StatusPending, InvitedAt: testClock, SentAt: testClock}
			if email == owner.Email {
				m.Status, m.UserID = StatusOwner, owner.ID
			}
			if err := tx.InsertCollaborator(ctx, &m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	all, err := s.Collaborators(ctx, db.ID)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, search string) {
		if !utf8.ValidString(search) {
			t.Skip("SQLite matches characters, not bytes; the service refuses invalid UTF-8")
		}
		got, total := pageOf(t, s, db, RowFilter{Search: search})
		var want []string
		for _, m := range all {
			if search == "" || strings.Contains(m.Email, search) || strings.Contains(strings.ToLower(usernames[m.Email]), search) {
				want = append(want, m.Email)
			}
		}
		if !slices.Equal(got, want) || total != len(want) {
			t.Fatalf("search %q: %q of %d, want %q", search, got, total, want)
		}
	})
}
