package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestAccountRowsGoWithTheirUser: deleting an account (branch deletion does) deletes
// its sessions, reset link and pending e-mail change, and nobody else's.
func TestAccountRowsGoWithTheirUser(t *testing.T) {
	s, ada, bob := apiTokenStore(t)
	ctx := context.Background()
	now := time.Now()
	for i, u := range []User{ada, bob} {
		tag := byte(i + 1)
		err := s.Tx(ctx, func(tx WriteTx) error {
			if err := tx.InsertSession(ctx, &Session{UserID: u.ID, TokenHash: []byte{tag}, Device: "d", ClientAddr: "a", CreatedAt: now, LastSeenAt: now}); err != nil {
				return err
			}
			if err := tx.PutPasswordReset(ctx, PasswordReset{UserID: u.ID, TokenHash: []byte{tag, 1}, CreatedAt: now}); err != nil {
				return err
			}
			return tx.PutEmailChange(ctx, EmailChange{UserID: u.ID, NewEmail: u.Username + "@new.example", TokenHash: []byte{tag, 2}, CreatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Tx(ctx, func(tx WriteTx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, ada.ID)
		return err
	}); err != nil {
		t.Fatalf("deleting a user with sessions: %v", err)
	}
	for _, table := range []string{"sessions", "password_resets", "email_changes"} {
		var n int
		if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE user_id = ?`, ada.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows of the deleted user (%v)", table, n, err)
		}
		if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE user_id = ?`, bob.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: %d rows of the other user, want 1 (%v)", table, n, err)
		}
	}
}

func TestSessionRows(t *testing.T) {
	s, ada, bob := apiTokenStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ids []int64
	err := s.Tx(ctx, func(tx WriteTx) error {
		ids = nil // Tx may run this again
		for i, at := range []time.Time{now.Add(-2 * time.Hour), now, now.Add(-time.Hour)} {
			sess := Session{UserID: ada.ID, TokenHash: []byte{byte(i)}, Device: "Firefox on Linux", ClientAddr: "192.0.2.1", CreatedAt: at, LastSeenAt: at}
			if err := tx.InsertSession(ctx, &sess); err != nil {
				return err
			}
			ids = append(ids, sess.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// In a transaction of its own: on PostgreSQL a failed statement ends its transaction.
	err = s.Tx(ctx, func(tx WriteTx) error {
		return tx.InsertSession(ctx, &Session{UserID: bob.ID, TokenHash: []byte{0}, CreatedAt: now, LastSeenAt: now})
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("a hash stored twice: %v, want ErrDuplicate", err)
	}
	list, err := s.SessionsForUser(ctx, ada.ID)
	if err != nil || len(list) != 3 || list[0].ID != ids[1] || list[2].ID != ids[0] {
		t.Fatalf("SessionsForUser = %+v, %v; want the most recently seen first", list, err)
	}
	got, u, err := s.SessionByHash(ctx, []byte{1})
	if err != nil || got.ID != ids[1] || u.ID != ada.ID || !got.LastSeenAt.Equal(now) {
		t.Fatalf("SessionByHash = %+v, %+v, %v", got, u, err)
	}
	err = s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.DeleteSession(ctx, bob.ID, ids[0]); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleting someone else's session: %v, want ErrNotFound", err)
		}
		if n, err := tx.DeleteIdleSessions(ctx, ada.ID, now.Add(-90*time.Minute)); err != nil || n != 1 {
			t.Errorf("DeleteIdleSessions = %d, %v; want 1", n, err)
		}
		if n, err := tx.DeleteOtherSessions(ctx, ada.ID, ids[1]); err != nil || n != 1 {
			t.Errorf("DeleteOtherSessions = %d, %v; want 1", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := s.SessionsForUser(ctx, ada.ID); len(list) != 1 || list[0].ID != ids[1] {
		t.Errorf("left %+v, want the one kept", list)
	}
}

func TestPasswordResetOfNoAccountIsNotFoundAndTheTransactionGoesOn(t *testing.T) {
	s, ada, _ := apiTokenStore(t)
	ctx := context.Background()
	err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.PutPasswordReset(ctx, PasswordReset{UserID: ada.ID + 100, TokenHash: []byte{9}, CreatedAt: testClock}); !errors.Is(err, ErrNotFound) {
			t.Errorf("reset of no account: %v, want ErrNotFound", err)
		}
		return tx.PutPasswordReset(ctx, PasswordReset{UserID: ada.ID, TokenHash: []byte{1}, CreatedAt: testClock})
	})
	if err != nil {
		t.Fatalf("the transaction after it: %v", err)
	}
	if r, err := s.PasswordResetByHash(ctx, []byte{1}); err != nil || r.UserID != ada.ID || !r.CreatedAt.Equal(testClock) {
		t.Errorf("PasswordResetByHash = %+v, %v; want ada's", r, err)
	}
}
