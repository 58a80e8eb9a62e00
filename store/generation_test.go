package store

import (
	"context"
	"errors"
	"testing"
)

// TestGenerationMovesAfterEveryWrite holds the promise caches rely on: a transaction,
// committed or not, moves the generation once it is over; a read leaves it.
func TestGenerationMovesAfterEveryWrite(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	token := APIToken{UserID: owner.ID, Name: "cli", TokenHash: []byte("hash"), CreatedAt: testClock}

	writes := []struct {
		name  string
		write func() error
	}{
		{"committed transaction", func() error {
			return s.Tx(ctx, func(tx WriteTx) error { return tx.InsertAPIToken(ctx, &token) })
		}},
		{"rolled back transaction", func() error {
			err := s.Tx(ctx, func(tx WriteTx) error {
				if err := tx.TouchAPIToken(ctx, token.ID, testClock); err != nil {
					return err
				}
				return errors.New("changed my mind")
			})
			if err == nil {
				return errors.New("the transaction did not fail")
			}
			return nil
		}},
	}
	for _, w := range writes {
		before := s.Generation()
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if s.Generation() == before {
			t.Errorf("%s: generation still %d", w.name, before)
		}
	}

	before := s.Generation()
	if _, err := s.UserByID(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APITokensForUser(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if got := s.Generation(); got != before {
		t.Errorf("reads moved the generation from %d to %d", before, got)
	}
}
