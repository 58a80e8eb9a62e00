package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
)

// team is a database with its owner's row, and two more accounts.
type team struct {
	db                Database
	owner, bob, carol User
	ownerRow          Collaborator
}

func newTeam(t *testing.T, s *Store) team {
	t.Helper()
	var tm team
	tm.owner = createUser(t, s, "owner@example.com", "owner")
	tm.bob = createUser(t, s, "bob@example.com", "bob")
	tm.carol = createUser(t, s, "carol@example.com", "carol")
	tm.db = createDatabase(t, s, "db_1", "orders", tm.owner)
	tm.ownerRow = insertRow(t, s, Collaborator{
		DatabaseID: tm.db.ID, Email: tm.owner.Email, UserID: tm.owner.ID, Status: StatusOwner,
		InvitedAt: testClock, AcceptedAt: testClock,
	})
	return tm
}

func insertRow(t *testing.T, s *Store, m Collaborator) Collaborator {
	t.Helper()
	if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.InsertCollaborator(context.Background(), &m) }); err != nil {
		t.Fatalf("InsertCollaborator(%s, %s): %v", m.Email, m.Status, err)
	}
	return m
}

func (tm team) invite(t *testing.T, s *Store, email, token string) Collaborator {
	t.Helper()
	return insertRow(t, s, Collaborator{
		DatabaseID: tm.db.ID, Email: email, Status: StatusPending, InvitedBy: tm.owner.ID,
		TokenHash: tokenHash(token), InvitedAt: testClock,
	})
}

// bobAcceptedCarolInvited makes bob a collaborator (his row is returned) and leaves
// carol only invited.
func (tm team) bobAcceptedCarolInvited(t *testing.T, s *Store) Collaborator {
	t.Helper()
	ctx := context.Background()
	accepted := tm.invite(t, s, "bob@example.com", "t1")
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.AcceptInvitation(ctx, accepted.ID, tm.bob.ID, testClock) }); err != nil {
		t.Fatal(err)
	}
	tm.invite(t, s, "carol@example.com", "t2")
	return accepted
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func emails(list []Collaborator) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.Email+" "+m.Status)
	}
	return out
}

func TestOneLiveRowPerAddressAndDatabase(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	first := tm.invite(t, s, "bob@example.com", "t1")

	t.Run("a second pending row is a duplicate", func(t *testing.T) {
		second := Collaborator{DatabaseID: tm.db.ID, Email: "bob@example.com", Status: StatusPending, InvitedAt: testClock}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.InsertCollaborator(ctx, &second) }); !errors.Is(err, ErrDuplicate) {
			t.Errorf("InsertCollaborator = %v, want ErrDuplicate", err)
		}
	})
	t.Run("an accepted row for the same address is a duplicate", func(t *testing.T) {
		accepted := Collaborator{DatabaseID: tm.db.ID, Email: "bob@example.com", UserID: tm.bob.ID,
			Status: StatusAccepted, InvitedAt: testClock, AcceptedAt: testClock}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.InsertCollaborator(ctx, &accepted) }); !errors.Is(err, ErrDuplicate) {
			t.Errorf("InsertCollaborator = %v, want ErrDuplicate", err)
		}
	})
	t.Run("the owner's address cannot be invited", func(t *testing.T) {
		again := Collaborator{DatabaseID: tm.db.ID, Email: tm.owner.Email, Status: StatusPending, InvitedAt: testClock}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.InsertCollaborator(ctx, &again) }); !errors.Is(err, ErrDuplicate) {
			t.Errorf("InsertCollaborator = %v, want ErrDuplicate", err)
		}
	})
	t.Run("the same address on another database is fine", func(t *testing.T) {
		other := createDatabase(t, s, "db_2", "billing", tm.owner)
		insertRow(t, s, Collaborator{DatabaseID: other.ID, Email: "bob@example.com", Status: StatusPending, InvitedAt: testClock})
	})
	t.Run("a token is used once", func(t *testing.T) {
		reused := Collaborator{DatabaseID: tm.db.ID, Email: "dave@example.com", Status: StatusPending,
			TokenHash: first.TokenHash, InvitedAt: testClock}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.InsertCollaborator(ctx, &reused) }); !errors.Is(err, ErrDuplicate) {
			t.Errorf("InsertCollaborator = %v, want ErrDuplicate", err)
		}
	})
	for _, ended := range []string{StatusRevoked, StatusLeft} {
		t.Run("a "+ended+" row does not block a new invitation", func(t *testing.T) {
			live, err := s.LiveCollaboratorByEmail(ctx, tm.db.ID, "bob@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, live.ID, ended, testClock) }); err != nil {
				t.Fatal(err)
			}
			renewed := tm.invite(t, s, "bob@example.com", "t-"+ended)
			if renewed.ID == live.ID {
				t.Errorf("the new invitation reused row %d", live.ID)
			}
		})
	}
}

func TestCollaboratorsListsOwnerFirstThenInvitationOrder(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	bob := createUser(t, s, "bob@example.com", "bob")
	db := createDatabase(t, s, "db_1", "orders", owner)
	// The owner's row is inserted last: the order must not depend on row IDs alone.
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "zed@example.com", Status: StatusPending, InvitedAt: testClock})
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "bob@example.com", UserID: bob.ID, Status: StatusAccepted,
		InvitedBy: owner.ID, InvitedAt: testClock, AcceptedAt: testClock})
	gone := insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "gone@example.com", Status: StatusPending, InvitedAt: testClock})
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: "amy@example.com", Status: StatusPending, InvitedAt: testClock})
	insertRow(t, s, Collaborator{DatabaseID: db.ID, Email: owner.Email, UserID: owner.ID, Status: StatusOwner, InvitedAt: testClock})
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, gone.ID, StatusRevoked, testClock) }); err != nil {
		t.Fatal(err)
	}

	list, err := s.Collaborators(ctx, db.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"owner@example.com owner", "zed@example.com pending", "bob@example.com accepted", "amy@example.com pending"}
	if got := emails(list); !slices.Equal(got, want) {
		t.Fatalf("Collaborators = %q, want %q (owner first, then invitation order, ended rows left out)", got, want)
	}
	if list[0].Role() != "owner" || list[1].Role() != "collaborator" {
		t.Errorf("roles = %s, %s; want owner, collaborator", list[0].Role(), list[1].Role())
	}
	if list[2].Username != "bob" || list[2].InviterName != "owner" || list[1].Username != "" {
		t.Errorf("joined names: accepted username %q inviter %q, pending username %q; want bob, owner, empty",
			list[2].Username, list[2].InviterName, list[1].Username)
	}
	if !list[2].InvitedAt.Equal(testClock) || !list[2].AcceptedAt.Equal(testClock) || !list[1].AcceptedAt.IsZero() {
		t.Errorf("times: invited %v accepted %v, pending accepted %v; want %v, %v, zero",
			list[2].InvitedAt, list[2].AcceptedAt, list[1].AcceptedAt, testClock, testClock)
	}
}

func TestCollaboratorByTokenHashFindsLiveAndEndedRows(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	pending := tm.invite(t, s, "bob@example.com", "pending-token")
	ended := tm.invite(t, s, "carol@example.com", "ended-token")
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, ended.ID, StatusRevoked, testClock) }); err != nil {
		t.Fatal(err)
	}

	for _, want := range []Collaborator{pending, ended} {
		got, err := s.CollaboratorByTokenHash(ctx, want.TokenHash)
		if err != nil || got.ID != want.ID || !bytes.Equal(got.TokenHash, want.TokenHash) {
			t.Errorf("CollaboratorByTokenHash(%s's hash) = row %d, %v; want row %d", want.Email, got.ID, err, want.ID)
		}
		if got.InviterName != "owner" || got.DatabaseID != tm.db.ID {
			t.Errorf("row %d: inviter %q database %q; want owner, %s", got.ID, got.InviterName, got.DatabaseID, tm.db.ID)
		}
	}
	if _, err := s.CollaboratorByTokenHash(ctx, tokenHash("unknown")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown hash: %v, want ErrNotFound", err)
	}
	// The owner's row has no token: a nil hash must not find it.
	if _, err := s.CollaboratorByTokenHash(ctx, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("nil hash: %v, want ErrNotFound", err)
	}
}

func TestAcceptInvitationOnlyAcceptsPendingRows(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	pending := tm.invite(t, s, "bob@example.com", "t1")
	revoked := tm.invite(t, s, "carol@example.com", "t2")
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, revoked.ID, StatusRevoked, testClock) }); err != nil {
		t.Fatal(err)
	}

	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.AcceptInvitation(ctx, pending.ID, tm.bob.ID, testClock) }); err != nil {
		t.Fatalf("accepting a pending row: %v", err)
	}
	got, err := s.LiveCollaborator(ctx, tm.db.ID, pending.ID)
	if err != nil || got.Status != StatusAccepted || got.UserID != tm.bob.ID || got.Username != "bob" || !got.AcceptedAt.Equal(testClock) {
		t.Errorf("accepted row = %+v, %v; want accepted by bob at %v", got, err, testClock)
	}
	for name, id := range map[string]int64{"accepted": pending.ID, "revoked": revoked.ID, "owner": tm.ownerRow.ID, "unknown": 9999} {
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.AcceptInvitation(ctx, id, tm.carol.ID, testClock) }); !errors.Is(err, ErrNotFound) {
			t.Errorf("accepting the %s row: %v, want ErrNotFound", name, err)
		}
	}
	if m, _ := s.CollaboratorByTokenHash(ctx, revoked.TokenHash); m.Status != StatusRevoked || m.UserID != 0 {
		t.Errorf("revoked row became %s for user %d", m.Status, m.UserID)
	}
	if m, _ := s.LiveCollaborator(ctx, tm.db.ID, pending.ID); m.UserID != tm.bob.ID {
		t.Errorf("accepted row was taken over by user %d", m.UserID)
	}
}

func TestEndCollaborationOnlyEndsPendingAndAcceptedRows(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	pending := tm.invite(t, s, "carol@example.com", "t1")
	accepted := tm.invite(t, s, "bob@example.com", "t2")
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.AcceptInvitation(ctx, accepted.ID, tm.bob.ID, testClock) }); err != nil {
		t.Fatal(err)
	}

	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, tm.ownerRow.ID, StatusRevoked, testClock) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("ending the owner's row: %v, want ErrNotFound", err)
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, pending.ID, StatusRevoked, testClock) }); err != nil {
		t.Errorf("revoking a pending row: %v", err)
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, accepted.ID, StatusLeft, testClock) }); err != nil {
		t.Errorf("leaving an accepted row: %v", err)
	}
	for _, id := range []int64{pending.ID, accepted.ID} {
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, id, StatusRevoked, testClock) }); !errors.Is(err, ErrNotFound) {
			t.Errorf("ending row %d twice: %v, want ErrNotFound", id, err)
		}
	}

	want := map[int64]string{tm.ownerRow.ID: StatusOwner, pending.ID: StatusRevoked, accepted.ID: StatusLeft}
	for id, status := range want {
		var got string
		var endedAt *int64
		if err := s.q.QueryRowContext(context.Background(), `SELECT status, ended_at FROM collaborators WHERE id = ?`, id).Scan(&got, &endedAt); err != nil {
			t.Fatal(err)
		}
		if got != status {
			t.Errorf("row %d status = %s, want %s", id, got, status)
		}
		if (endedAt != nil) != (status != StatusOwner) {
			t.Errorf("row %d (%s) ended_at = %v", id, got, endedAt)
		}
	}
	if list, _ := s.Collaborators(ctx, tm.db.ID); len(list) != 1 {
		t.Errorf("live rows after ending both = %q, want the owner's only", emails(list))
	}
}

func TestDatabaseForMemberSeesOwnerAndAcceptedOnly(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	accepted := tm.bobAcceptedCarolInvited(t, s)

	for _, ref := range []string{tm.db.ID, tm.db.Name} {
		for _, u := range []User{tm.owner, tm.bob} {
			d, err := s.DatabaseForMember(ctx, ref, u.ID)
			if err != nil || d.ID != tm.db.ID || d.Owner.Username != "owner" {
				t.Errorf("DatabaseForMember(%s, %s) = %+v, %v", ref, u.Username, d, err)
			}
		}
		if _, err := s.DatabaseForMember(ctx, ref, tm.carol.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("pending invitee: DatabaseForMember(%s) = %v, want ErrNotFound", ref, err)
		}
	}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, accepted.ID, StatusRevoked, testClock) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DatabaseForMember(ctx, tm.db.Name, tm.bob.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked collaborator: DatabaseForMember = %v, want ErrNotFound", err)
	}
	if list, err := s.DatabasesForMember(ctx, tm.bob.ID); err != nil || len(list) != 0 {
		t.Errorf("revoked collaborator: DatabasesForMember = %v, %v; want none", list, err)
	}
}
