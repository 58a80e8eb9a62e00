package store

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

// sessionReadCase is a SessionInDatabase read and the answer its two reads give.
type sessionReadCase struct {
	hash   []byte
	ref    string
	want   sessionInDatabase
	reason string
}

// sessionReadCases signs in the owner, bob (accepted) and carol (invited), and returns
// every read of theirs (and of a session never made) with the answer SessionByHash and
// DatabaseForMember give.
func sessionReadCases(t *testing.T, s *Store) []sessionReadCase {
	t.Helper()
	ctx := context.Background()
	tm := newTeam(t, s)
	tm.bobAcceptedCarolInvited(t, s)
	users := []User{tm.owner, tm.bob, tm.carol}
	signIn(t, s, users)
	var cases []sessionReadCase
	for _, ref := range []string{tm.db.ID, tm.db.Name, "no-such-db"} {
		for i, u := range users {
			hash := []byte{byte(i)}
			sess, user, err := s.SessionByHash(ctx, hash)
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.DatabaseForMember(ctx, ref, u.ID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
			cases = append(cases, sessionReadCase{hash: hash, ref: ref, reason: u.Username + " in " + ref,
				want: sessionInDatabase{session: sess, user: user, database: d, member: err == nil}})
		}
		cases = append(cases, sessionReadCase{hash: []byte("never made"), ref: ref, reason: "no session in " + ref})
	}
	return cases
}

// signIn gives each of users a session, its hash the user's position in users.
func signIn(t *testing.T, s *Store, users []User) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
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
}

// checkSessionRead reports a read whose answer is not its case's.
func checkSessionRead(t *testing.T, c sessionReadCase, s Session, u User, d Database, member bool, err error) {
	t.Helper()
	if c.want.session.ID == 0 {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", c.reason, err)
		}
		return
	}
	if err != nil || !reflect.DeepEqual(s, c.want.session) || !reflect.DeepEqual(u, c.want.user) ||
		!reflect.DeepEqual(d, c.want.database) || member != c.want.member {
		t.Errorf("%s: %+v, %+v, %+v, %v, %v; want %+v, %+v, %+v, %v",
			c.reason, s, u, d, member, err, c.want.session, c.want.user, c.want.database, c.want.member)
	}
}

// One query answers each read of a batch as the read alone: every kind of member, refs
// naming nothing, a session never made, and the same read twice, in one batch.
func TestSessionReadsAnswerEachReadOfABatch(t *testing.T) {
	s, _ := openTestStore(t)
	if !s.pg {
		t.Skip("SQLite's reads are made in the process: they are not batched")
	}
	cases := sessionReadCases(t, s)
	cases = append(cases, cases...)
	batch := make([]*sessionRead, len(cases))
	for i, c := range cases {
		batch[i] = &sessionRead{hash: c.hash, ref: c.ref, answer: make(chan sessionInDatabase, 1)}
	}
	answerSessionReads(s, batch)
	for i, c := range cases {
		a := <-batch[i].answer
		checkSessionRead(t, c, a.session, a.user, a.database, a.member, a.err)
	}
}

// Reads made at once, by more requests than a batch holds, each get their own answer.
func TestConcurrentSessionReadsAnswerAsAlone(t *testing.T) {
	s, _ := openTestStore(t)
	cases := sessionReadCases(t, s)
	var wg sync.WaitGroup
	for g := range 2 * maxSessionReads {
		wg.Go(func() {
			for i := range 5 {
				c := cases[(g+i)%len(cases)]
				sess, u, d, member, err := s.SessionInDatabase(context.Background(), c.hash, c.ref)
				checkSessionRead(t, c, sess, u, d, member, err)
			}
		})
	}
	wg.Wait()
}

// A read gives up when its request does, and once the store is closed.
func TestSessionReadsEndWithTheirRequestAndTheStore(t *testing.T) {
	s, _ := openTestStore(t)
	if !s.pg {
		t.Skip("SQLite's reads are made in the process: they are not batched")
	}
	cases := sessionReadCases(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, _, err := s.SessionInDatabase(ctx, cases[0].hash, cases[0].ref); !errors.Is(err, context.Canceled) {
		t.Errorf("a read of an ended request: %v, want context.Canceled", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, _, _, err := s.SessionInDatabase(context.Background(), cases[0].hash, cases[0].ref)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errStoreClosed) {
			t.Errorf("a read after Close: %v, want %v", err, errStoreClosed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a read after Close still waits after 10 s")
	}
}
