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
