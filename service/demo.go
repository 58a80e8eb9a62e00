package service

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"

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

// SeedDemo fills an empty store with the demo data, all in one transaction, and reports
// whether it did. A store with any account is left as it is. The invitation limit does
// not refuse the seeding (its two invitations still count towards it), and user2's
// acceptance needs no e-mail.
func (s *Service) SeedDemo(ctx context.Context) (bool, error) {
	seeded := false
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		seeded = false // not what an attempt that conflicted set
		users, err := tx.CountUsers(ctx)
		if err != nil || users > 0 {
			return err
		}
		accounts := map[string]store.User{}
		for _, name := range []string{"user1", "user2", "user4"} {
			hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), s.passwordCost())
			if err != nil {
				return err
			}
			u := store.User{Email: name + "@example.com", Username: name, PasswordHash: string(hash), CreatedAt: s.now(), VerifiedAt: s.now()}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			accounts[name] = u
		}
		id, err := newDatabaseID()
		if err != nil {
			return err
		}
		owner, user2 := accounts["user1"], accounts["user2"]
		db := store.Database{ID: id, Name: DemoDatabase, Plan: Plans[0].ID, OwnerID: owner.ID, Owner: owner, CreatedAt: s.now()}
		if err := insertDatabase(ctx, tx, db); err != nil {
			return err
		}
		now := s.now()
		if err := tx.InsertCollaborator(ctx, &store.Collaborator{DatabaseID: id, Email: user2.Email, UserID: user2.ID,
			Status: store.StatusAccepted, InvitedBy: owner.ID, InvitedAt: now, SentAt: now, AcceptedAt: now}); err != nil {
			return err
		}
		for _, e := range []store.Event{
			{DatabaseID: id, Type: store.EventInvited, ActorID: owner.ID, Target: user2.Email, At: now},
			{DatabaseID: id, Type: store.EventAccepted, ActorID: user2.ID, Target: user2.Email, At: now},
		} {
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		if _, err := s.insertInvitation(ctx, tx, db, owner, "user3@example.com"); err != nil {
			return err
		}
		if err := s.seedDemoAccess(ctx, tx, db, user2.ID); err != nil {
			return err
		}
		seeded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("service: demo data: %w", err)
	}
	if seeded {
		s.AccessQueued()
		s.emailQueued()
	}
	return seeded, nil
}

// seedDemoAccess wants the demo database on the attached PostgreSQL server, if any, with
// roles for its owner and its accepted collaborator. The database is made by a job, so
// that a server that refuses it leaves the demo running and says so on the rows.
func (s *Service) seedDemoAccess(ctx context.Context, tx store.WriteTx, db store.Database, collaboratorID int64) error {
	if s.Postgres == nil {
		return nil
	}
	d := store.AccessDatabase{DatabaseID: db.ID, PgName: db.Name, GroupRole: newRoleName("g"), CreatedAt: s.now()}
	if err := tx.InsertAccessDatabase(ctx, d); err != nil {
		return err
	}
	if err := tx.EnqueueJob(ctx, store.JobCreateDatabase, db.ID, s.now()); err != nil {
		return err
	}
	for _, id := range []int64{db.OwnerID, collaboratorID} {
		if err := s.grantAccess(ctx, tx, db.ID, id); err != nil {
			return err
		}
	}
	return nil
}
