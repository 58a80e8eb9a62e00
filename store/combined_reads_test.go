package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// SessionInDatabase answers, in one query, what SessionByHash and DatabaseForMember
// answer in two: for the owner, an accepted collaborator, a pending invitee, a revoked
// collaborator, and refs that name no database.
func TestSessionInDatabaseAnswersAsItsTwoReads(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	accepted := tm.bobAcceptedCarolInvited(t, s)
	users := []User{tm.owner, tm.bob, tm.carol}
	signIn(t, s, users)

	check := func(when string) {
		t.Helper()
		for i, u := range users {
			hash := []byte{byte(i)}
			wantSession, wantUser, err := s.SessionByHash(ctx, hash)
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{tm.db.ID, tm.db.Name, "no-such-db", "bad\xff\x00ref"} {
				sess, user, d, member, err := s.SessionInDatabase(ctx, hash, ref)
				wantDB, dbErr := s.DatabaseForMember(ctx, ref, u.ID)
				if dbErr != nil && !errors.Is(dbErr, ErrNotFound) {
					t.Fatal(dbErr)
				}
				if err != nil || !reflect.DeepEqual(sess, wantSession) || !reflect.DeepEqual(user, wantUser) ||
					member != (dbErr == nil) || !reflect.DeepEqual(d, wantDB) {
					t.Errorf("%s, %s, %q: SessionInDatabase = %+v, %+v, %+v, %v, %v; want %+v, %+v, %+v, %v",
						when, u.Username, ref, sess, user, d, member, err, wantSession, wantUser, wantDB, dbErr == nil)
				}
			}
		}
	}
	check("bob accepted")
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EndCollaboration(ctx, accepted.ID, StatusRevoked, testClock) }); err != nil {
		t.Fatal(err)
	}
	check("bob revoked")
	if _, _, _, _, err := s.SessionInDatabase(ctx, []byte("unknown"), tm.db.Name); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session never made: %v, want ErrNotFound", err)
	}
}

// CheckInvitation answers, in one query, what DatabaseForMember, UserByID,
// LiveCollaboratorByEmail and the three invitation counts answer, and counts only what
// it is asked to.
func TestCheckInvitationAnswersAsItsReads(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	tm.invite(t, s, "carol@example.com", "t2") // carol is only invited
	tm.inviteEvents(t, s, "carol@example.com", "dan@example.com", "carol@example.com")
	since := testClock.Add(30 * time.Minute) // the first event is older
	var everyCounted []Counted               // each of the 8 choices is a statement of its own
	for _, in := range []bool{false, true} {
		for _, by := range []bool{false, true} {
			for _, to := range []bool{false, true} {
				everyCounted = append(everyCounted, Counted{InDatabase: in, ByInviter: by, ToAddress: to})
			}
		}
	}
	for _, ref := range []string{tm.db.ID, tm.db.Name, "no-such-db", "bad\xff\x00ref"} {
		for _, u := range []User{tm.owner, tm.carol} {
			for _, email := range []string{"owner@example.com", "carol@example.com", "dan@example.com"} {
				for _, counted := range everyCounted {
					got, err := s.CheckInvitation(ctx, ref, u.ID, email, since, counted)
					want, wantErr := wantedCheck(t, s, ref, u.ID, email, since, counted)
					if !reflect.DeepEqual(got, want) || errors.Is(err, ErrNotFound) != errors.Is(wantErr, ErrNotFound) {
						t.Errorf("%s, %q, %s, %+v: CheckInvitation = %+v, %v;\nwant %+v, %v", u.Username, ref, email, counted, got, err, want, wantErr)
					}
				}
			}
		}
	}
}

// The cases above compare with counts that are not all zero, and a live row found.
func TestCheckInvitationCountsSinceTheTimeGiven(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	tm.invite(t, s, "carol@example.com", "t2")
	tm.inviteEvents(t, s, "carol@example.com", "dan@example.com", "carol@example.com")
	got, err := s.CheckInvitation(ctx, tm.db.Name, tm.owner.ID, "carol@example.com", testClock.Add(30*time.Minute),
		Counted{InDatabase: true, ByInviter: true, ToAddress: true})
	if err != nil || got.LiveStatus != StatusPending || got.Sent != (Sent{InDatabase: 2, ByInviter: 2, ToAddress: 1}) || got.Inviter.ID != tm.owner.ID {
		t.Errorf("CheckInvitation = %+v, %v; want carol pending, 2 in the database, 2 by the owner, 1 to carol", got, err)
	}
}

// wantedCheck is what CheckInvitation should answer, read by the separate queries.
func wantedCheck(t *testing.T, s *Store, ref string, inviterID int64, email string, since time.Time, counted Counted) (InvitationCheck, error) {
	t.Helper()
	ctx := context.Background()
	db, err := s.DatabaseForMember(ctx, ref, inviterID)
	if err != nil {
		return InvitationCheck{}, err
	}
	check := InvitationCheck{Database: db}
	if check.Inviter, err = s.UserByID(ctx, inviterID); err != nil {
		t.Fatal(err)
	}
	if live, err := s.LiveCollaboratorByEmail(ctx, db.ID, email); err == nil {
		check.LiveStatus = live.Status
	}
	count := func(asked bool, n *int, f func() (int, error)) {
		if !asked {
			return
		}
		var err error
		if *n, err = f(); err != nil {
			t.Fatal(err)
		}
	}
	count(counted.InDatabase, &check.Sent.InDatabase, func() (int, error) { return s.CountInvitationsSince(ctx, db.ID, since) })
	count(counted.ByInviter, &check.Sent.ByInviter, func() (int, error) { return s.CountInvitationsSentBy(ctx, inviterID, since) })
	count(counted.ToAddress, &check.Sent.ToAddress, func() (int, error) { return s.CountInvitationsSentTo(ctx, email, since) })
	return check, nil
}

// InsertInvitation stores the e-mail, the pending row naming it and the event, and
// refuses an address with a live row: ErrDuplicate, as InsertCollaborator does.
func TestInsertInvitationStoresItsThreeRows(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	invite := func(email string) (Email, Collaborator, error) {
		e := Email{To: email, ReplyTo: tm.owner.Email, Subject: "owner invites you", Text: "text", HTML: "<p>html</p>", CreatedAt: testClock}
		m := Collaborator{DatabaseID: tm.db.ID, Email: email, Status: StatusPending, InvitedBy: tm.owner.ID,
			TokenHash: tokenHash(email), InvitedAt: testClock, SentAt: testClock}
		err := s.Tx(ctx, func(tx WriteTx) error {
			return tx.InsertInvitation(ctx, &e, &m, Event{DatabaseID: tm.db.ID, Type: EventInvited, ActorID: tm.owner.ID, Target: email, At: testClock})
		})
		return e, m, err
	}
	before, err := s.DatabaseByID(ctx, tm.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, m, err := invite("dan@example.com")
	if err != nil || e.ID == 0 || m.ID == 0 || m.EmailID != e.ID {
		t.Fatalf("InsertInvitation: e-mail %d, row %d naming e-mail %d, %v", e.ID, m.ID, m.EmailID, err)
	}
	after, err := s.DatabaseByID(ctx, tm.db.ID)
	if err != nil || after.Version == before.Version {
		t.Errorf("the database's version: %d before, %d after, %v; want it moved", before.Version, after.Version, err)
	}
	// On PostgreSQL its row is updated once for the row, its live count and the event.
	if s.pg && after.Version != before.Version+1 {
		t.Errorf("on PostgreSQL the version moved by %d, want 1: one update of the database's row", after.Version-before.Version)
	}
	row, err := s.LiveCollaboratorByEmail(ctx, tm.db.ID, "dan@example.com")
	if err != nil || row.ID != m.ID || row.EmailID != e.ID || row.Status != StatusPending || row.InvitedBy != tm.owner.ID {
		t.Errorf("the row stored: %+v, %v", row, err)
	}
	var to, html string
	if err := s.q.QueryRowContext(ctx, `SELECT to_addr, html_body FROM outbox WHERE id = ?`, e.ID).Scan(&to, &html); err != nil || to != "dan@example.com" || html != "<p>html</p>" {
		t.Errorf("the e-mail stored: %q, %q, %v", to, html, err)
	}
	events, err := s.Events(ctx, tm.db.ID, 10, 0)
	if err != nil || len(events) != 1 || events[0].Type != EventInvited || events[0].Target != "dan@example.com" {
		t.Errorf("the events: %+v, %v", events, err)
	}

	if _, _, err := invite("dan@example.com"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("the same address again: %v, want ErrDuplicate", err)
	}
	var emails, rows int
	if err := s.q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM collaborators)`).Scan(&emails, &rows); err != nil || emails != 1 || rows != 2 {
		t.Errorf("after the refusal: %d e-mails and %d rows, %v; want 1 and 2 (the owner's and dan's)", emails, rows, err)
	}
}

// inviteEvents records an invitation event by the owner to each address, an hour apart
// from testClock on.
func (tm team) inviteEvents(t *testing.T, s *Store, addresses ...string) {
	t.Helper()
	ctx := context.Background()
	err := s.Tx(ctx, func(tx WriteTx) error {
		for i, target := range addresses {
			ev := Event{DatabaseID: tm.db.ID, Type: EventInvited, ActorID: tm.owner.ID, Target: target, At: testClock.Add(time.Duration(i) * time.Hour)}
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// On SQLite, SessionInDatabase finds the membership by the user's index, not by walking
// the database's rows: a database of 10,000 collaborators costs it no more than one of 3
// (BenchmarkCollaboratorsTabFirstPage).
func TestSessionInDatabaseLooksUpTheUsersRows(t *testing.T) {
	s, _ := openTestStore(t)
	if s.pg {
		t.Skip("PostgreSQL plans by its statistics; the plan checked is SQLite's")
	}
	rows, err := s.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+sessionInDatabaseQuery, "db", "db", []byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	byUser := func(step string) bool {
		return strings.HasPrefix(step, "SEARCH m USING INDEX collaborators_user (user_id=? AND status=?)")
	}
	if !slices.ContainsFunc(plan, byUser) {
		t.Errorf("the membership is not looked up by the user's index:\n%s", strings.Join(plan, "\n"))
	}
}
