package store

import (
	"context"
	"errors"
	"reflect"
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
	accepted := tm.invite(t, s, "bob@example.com", "t1")
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.AcceptInvitation(ctx, accepted.ID, tm.bob.ID, testClock) }); err != nil {
		t.Fatal(err)
	}
	tm.invite(t, s, "carol@example.com", "t2") // carol is only invited
	now := time.Now().UTC().Truncate(time.Microsecond)
	users := []User{tm.owner, tm.bob, tm.carol}
	err := s.Tx(ctx, func(tx WriteTx) error {
		for i, u := range users {
			if err := tx.InsertSession(ctx, &Session{UserID: u.ID, TokenHash: []byte{byte(i)}, CreatedAt: now, LastSeenAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

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

// DatabaseWithMember answers as DatabaseForMember, with the member's account.
func TestDatabaseWithMemberAnswersAsDatabaseForMember(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	tm.invite(t, s, "carol@example.com", "t2") // carol is only invited
	for _, ref := range []string{tm.db.ID, tm.db.Name, "no-such-db", "bad\xff\x00ref"} {
		for _, u := range []User{tm.owner, tm.carol} {
			d, member, err := s.DatabaseWithMember(ctx, ref, u.ID)
			wantDB, wantErr := s.DatabaseForMember(ctx, ref, u.ID)
			wantUser := User{}
			if wantErr == nil {
				wantUser, _ = s.UserByID(ctx, u.ID)
			}
			if !reflect.DeepEqual(d, wantDB) || !reflect.DeepEqual(member, wantUser) || errors.Is(err, ErrNotFound) != errors.Is(wantErr, ErrNotFound) {
				t.Errorf("%s, %q: DatabaseWithMember = %+v, %+v, %v; want %+v, %+v, %v", u.Username, ref, d, member, err, wantDB, wantUser, wantErr)
			}
		}
	}
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
	e, m, err := invite("dan@example.com")
	if err != nil || e.ID == 0 || m.ID == 0 || m.EmailID != e.ID {
		t.Fatalf("InsertInvitation: e-mail %d, row %d naming e-mail %d, %v", e.ID, m.ID, m.EmailID, err)
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
