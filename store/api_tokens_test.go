package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// apiTokenStore opens a fresh store with two accounts.
func apiTokenStore(t *testing.T) (*Store, User, User) {
	t.Helper()
	s, _ := openTestStore(t)
	var users []User
	for _, name := range []string{"ada", "bob"} {
		u := User{Email: name + "@example.com", Username: name, PasswordHash: "x", CreatedAt: time.Now()}
		if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.CreateUser(context.Background(), &u) }); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	return s, users[0], users[1]
}

func insertAPIToken(t *testing.T, s *Store, userID int64, name string, hash byte, at time.Time) APIToken {
	t.Helper()
	tok := APIToken{UserID: userID, Name: name, TokenHash: bytes.Repeat([]byte{hash}, 32), CreatedAt: at}
	if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.InsertAPIToken(context.Background(), &tok) }); err != nil {
		t.Fatalf("InsertAPIToken(%s): %v", name, err)
	}
	return tok
}

var apiTokenClock = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func TestAPITokenHashIsUnique(t *testing.T) {
	s, ada, bob := apiTokenStore(t)
	insertAPIToken(t, s, ada.ID, "laptop", 1, apiTokenClock)
	err := s.Tx(context.Background(), func(tx WriteTx) error {
		return tx.InsertAPIToken(context.Background(), &APIToken{UserID: bob.ID, Name: "other", TokenHash: bytes.Repeat([]byte{1}, 32), CreatedAt: apiTokenClock})
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second token with the same hash: got %v, want ErrDuplicate", err)
	}
}

func TestAPITokensForUserListsOnlyTheirsNewestFirst(t *testing.T) {
	s, ada, bob := apiTokenStore(t)
	insertAPIToken(t, s, ada.ID, "first", 1, apiTokenClock)
	insertAPIToken(t, s, bob.ID, "bob's", 2, apiTokenClock)
	insertAPIToken(t, s, ada.ID, "second", 3, apiTokenClock.Add(time.Hour))

	list, err := s.APITokensForUser(context.Background(), ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tok := range list {
		names = append(names, tok.Name)
	}
	if len(names) != 2 || names[0] != "second" || names[1] != "first" {
		t.Fatalf("ada's tokens = %q, want [second first]", names)
	}
	if !list[1].CreatedAt.Equal(apiTokenClock) || !list[1].LastUsedAt.IsZero() {
		t.Fatalf("first token: created %v, last used %v; want %v and never", list[1].CreatedAt, list[1].LastUsedAt, apiTokenClock)
	}
}

func TestAPITokenByHashReturnsTokenWithItsUser(t *testing.T) {
	s, ada, _ := apiTokenStore(t)
	want := insertAPIToken(t, s, ada.ID, "laptop", 7, apiTokenClock)

	got, err := s.APITokenByHash(context.Background(), want.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Name != "laptop" || got.User.ID != ada.ID || got.User.Email != ada.Email {
		t.Fatalf("APITokenByHash = %+v, want token %d of %s", got, want.ID, ada.Email)
	}
	if _, err := s.APITokenByHash(context.Background(), bytes.Repeat([]byte{8}, 32)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown hash: got %v, want ErrNotFound", err)
	}
}

func TestAPITokenByIDReturnsTokenWithItsUserUntilDeleted(t *testing.T) {
	s, ada, _ := apiTokenStore(t)
	want := insertAPIToken(t, s, ada.ID, "laptop", 7, apiTokenClock)

	got, err := s.APITokenByID(context.Background(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || !bytes.Equal(got.TokenHash, want.TokenHash) || got.User.ID != ada.ID || got.User.Email != ada.Email {
		t.Fatalf("APITokenByID = %+v, want token %d of %s", got, want.ID, ada.Email)
	}
	if _, err := deleteAPIToken(s, ada.ID, want.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APITokenByID(context.Background(), want.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted token: got %v, want ErrNotFound", err)
	}
}

func TestTouchAPITokenRecordsLastUse(t *testing.T) {
	s, ada, _ := apiTokenStore(t)
	tok := insertAPIToken(t, s, ada.ID, "laptop", 1, apiTokenClock)
	used := apiTokenClock.Add(90 * time.Second)
	if err := s.Tx(context.Background(), func(tx WriteTx) error { return tx.TouchAPIToken(context.Background(), tok.ID, used) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.APITokenByHash(context.Background(), tok.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastUsedAt.Equal(used) {
		t.Fatalf("last used = %v, want %v", got.LastUsedAt, used)
	}
}

func TestDeleteAPITokenOnlyDeletesTheOwnersToken(t *testing.T) {
	s, ada, bob := apiTokenStore(t)
	tok := insertAPIToken(t, s, ada.ID, "laptop", 1, apiTokenClock)
	ctx := context.Background()

	if _, err := deleteAPIToken(s, bob.ID, tok.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob deleting ada's token: got %v, want ErrNotFound", err)
	}
	deleted, err := deleteAPIToken(s, ada.ID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if deleted.ID != tok.ID || deleted.Name != "laptop" {
		t.Fatalf("deleted = %+v, want the laptop token", deleted)
	}
	if _, err := s.APITokenByHash(ctx, tok.TokenHash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted token still found: %v", err)
	}
	if _, err := deleteAPIToken(s, ada.ID, tok.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: got %v, want ErrNotFound", err)
	}
}

func deleteAPIToken(s *Store, userID, id int64) (deleted APIToken, err error) {
	err = s.Tx(context.Background(), func(tx WriteTx) (err error) {
		deleted, err = tx.DeleteAPIToken(context.Background(), userID, id)
		return err
	})
	return deleted, err
}

func deleteAPITokenByHash(s *Store, h []byte) (deleted APIToken, err error) {
	err = s.Tx(context.Background(), func(tx WriteTx) (err error) {
		deleted, err = tx.DeleteAPITokenByHash(context.Background(), h)
		return err
	})
	return deleted, err
}

func TestDeleteAPITokenByHashDeletesThatTokenAlone(t *testing.T) {
	s, ada, _ := apiTokenStore(t)
	tok := insertAPIToken(t, s, ada.ID, "laptop", 1, apiTokenClock)
	other := insertAPIToken(t, s, ada.ID, "desktop", 2, apiTokenClock)
	ctx := context.Background()

	deleted, err := deleteAPITokenByHash(s, tok.TokenHash)
	if err != nil || deleted.ID != tok.ID {
		t.Fatalf("DeleteAPITokenByHash = %+v, %v; want the laptop token", deleted, err)
	}
	if _, err := s.APITokenByHash(ctx, tok.TokenHash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted token still found: %v", err)
	}
	if _, err := s.APITokenByHash(ctx, other.TokenHash); err != nil {
		t.Fatalf("the other token went too: %v", err)
	}
	if _, err := deleteAPITokenByHash(s, tok.TokenHash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: got %v, want ErrNotFound", err)
	}
}

func TestAPITokenExpiryIsStoredAndReadBack(t *testing.T) {
	s, ada, _ := apiTokenStore(t)
	ctx := context.Background()
	expires := apiTokenClock.AddDate(0, 0, 30)
	tok := APIToken{UserID: ada.ID, Name: "expiring", TokenHash: bytes.Repeat([]byte{1}, 32), CreatedAt: apiTokenClock, ExpiresAt: expires}
	if err := s.Tx(ctx, func(tx WriteTx) error { return tx.InsertAPIToken(ctx, &tok) }); err != nil {
		t.Fatal(err)
	}
	forever := insertAPIToken(t, s, ada.ID, "forever", 2, apiTokenClock)

	byHash, err := s.APITokenByHash(ctx, tok.TokenHash)
	if err != nil || !byHash.ExpiresAt.Equal(expires) {
		t.Fatalf("APITokenByHash: expires %v, %v; want %v", byHash.ExpiresAt, err, expires)
	}
	list, err := s.APITokensForUser(ctx, ada.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("APITokensForUser = %+v, %v", list, err)
	}
	if list[0].ID != forever.ID || !list[0].ExpiresAt.IsZero() || !list[1].ExpiresAt.Equal(expires) {
		t.Fatalf("listed expiries %v and %v; want never and %v", list[0].ExpiresAt, list[1].ExpiresAt, expires)
	}
}
