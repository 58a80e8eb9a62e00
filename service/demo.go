package service

import (
	"context"
	"fmt"

	"dbcollab/store"
)

// DemoPassword is every demo account's password.
const DemoPassword = "demo-password"

// DemoDatabase is the demo database's name.
const DemoDatabase = "my-dedicated-db"

// DemoAccounts describes the demo data, for the start-up message.
const DemoAccounts = `Demo data (every password: demo-password):
  user1@example.com  user1  owner of my-dedicated-db
  user2@example.com  user2  accepted collaborator on my-dedicated-db
  user3@example.com  -      pending invitation to my-dedicated-db (no account yet)
  user4@example.com  user4  no access to anything`

// SeedDemo fills an empty store with the demo data through the same rules as everyone
// else, and reports whether it did. A store with any account is left as it is.
func (s *Service) SeedDemo(ctx context.Context) (bool, error) {
	users, err := s.Store.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	if users > 0 {
		return false, nil
	}
	accounts := map[string]store.User{}
	for _, name := range []string{"user1", "user2", "user4"} {
		u, err := s.Signup(ctx, SignupInput{Email: name + "@example.com", Username: name, Password: DemoPassword})
		if err != nil {
			return false, fmt.Errorf("service: demo account %s: %w", name, err)
		}
		accounts[name] = u
	}
	owner := accounts["user1"]
	if _, err := s.CreateDatabase(ctx, owner.ID, NewDatabaseInput{Name: DemoDatabase, Plan: Plans[0].ID}); err != nil {
		return false, fmt.Errorf("service: demo database: %w", err)
	}
	_, user2, err := s.Invite(ctx, owner.ID, DemoDatabase, "user2@example.com")
	if err != nil {
		return false, fmt.Errorf("service: demo invitation: %w", err)
	}
	// The demo accepts without the e-mailed link, which only the e-mail carries.
	err = s.Store.Tx(ctx, func(tx store.Conn) error {
		if err := tx.AcceptInvitation(ctx, user2.ID, accounts["user2"].ID, s.now()); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, store.Event{DatabaseID: user2.DatabaseID, Type: store.EventAccepted,
			ActorID: accounts["user2"].ID, Target: user2.Email, At: s.now()})
	})
	if err != nil {
		return false, fmt.Errorf("service: demo acceptance: %w", err)
	}
	if _, _, err := s.Invite(ctx, owner.ID, DemoDatabase, "user3@example.com"); err != nil {
		return false, fmt.Errorf("service: demo invitation: %w", err)
	}
	return true, nil
}
