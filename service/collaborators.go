package service

import (
	"context"
	"errors"
	"fmt"

	"dbcollab/mailer"
	"dbcollab/store"
)

// Collaborators returns the database and its live rows (owner first, then invitation
// order) if userID is a member.
func (s *Service) Collaborators(ctx context.Context, userID int64, ref string) (store.Database, []store.Collaborator, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	if err != nil {
		return store.Database{}, nil, err
	}
	list, err := s.Store.Collaborators(ctx, db.ID)
	return db, list, err
}

// Invite invites an address to collaborate on the database ref, on behalf of inviterID,
// and queues the invitation e-mail in the same transaction.
func (s *Service) Invite(ctx context.Context, inviterID int64, ref, rawEmail string) (store.Database, store.Collaborator, error) {
	email, err := NormalizeEmail(rawEmail)
	if err != nil {
		// Someone who may not see the database learns nothing, not even that the address is bad.
		if _, dbErr := s.Database(ctx, inviterID, ref); dbErr != nil {
			return store.Database{}, store.Collaborator{}, dbErr
		}
		return store.Database{}, store.Collaborator{}, err
	}
	token, hash, err := newInvitationToken()
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	var db store.Database
	invite := store.Collaborator{Email: email, Status: store.StatusPending, InvitedBy: inviterID, TokenHash: hash, InvitedAt: s.now()}
	err = s.Store.Tx(ctx, func(tx store.Conn) error {
		if db, err = databaseForMember(ctx, tx, inviterID, ref); err != nil {
			return err
		}
		if err := refuseLiveAddress(ctx, tx, db, email); err != nil {
			return err
		}
		invite.DatabaseID = db.ID
		if err := tx.InsertCollaborator(ctx, &invite); errors.Is(err, store.ErrDuplicate) {
			return conflict("email", fmt.Sprintf("%s has already been invited to %s", email, db.Name))
		} else if err != nil {
			return err
		}
		inviter, err := tx.UserByID(ctx, inviterID)
		if err != nil {
			return err
		}
		invite.InviterName = inviter.Username
		msg := mailer.Invitation(email, mailer.InvitationData{
			DatabaseName: db.Name, InviterName: inviter.Username, InviterEmail: inviter.Email,
			Link: s.BaseURL + "/invitations/" + token,
		})
		msg.CreatedAt = invite.InvitedAt
		return tx.EnqueueEmail(ctx, &msg)
	})
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	s.emailQueued()
	return db, invite, nil
}

// refuseLiveAddress says why email cannot be invited to db, if it already has a live row.
func refuseLiveAddress(ctx context.Context, tx store.Conn, db store.Database, email string) error {
	existing, err := tx.LiveCollaboratorByEmail(ctx, db.ID, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch existing.Status {
	case store.StatusOwner:
		return conflict("email", fmt.Sprintf("%s is the owner of %s", email, db.Name))
	case store.StatusAccepted:
		return conflict("email", fmt.Sprintf("%s already collaborates on %s", email, db.Name))
	default:
		return conflict("email", fmt.Sprintf("%s has already been invited to %s", email, db.Name))
	}
}

// Collaborator returns the database and one of its live, revocable rows, for the
// confirmation page. The owner's row is not revocable.
func (s *Service) Collaborator(ctx context.Context, userID int64, ref string, id int64) (store.Database, store.Collaborator, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	m, err := liveCollaborator(ctx, s.Store.Conn, db.ID, id)
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	if m.Status == store.StatusOwner {
		return store.Database{}, store.Collaborator{}, ErrOwnerNotRevocable
	}
	return db, m, nil
}

// ErrOwnerNotRevocable refuses to take a database from its owner.
var ErrOwnerNotRevocable = &Error{Kind: Invalid, Message: "The owner's access cannot be revoked: a database always keeps its owner"}

// Revocation says what Revoke did.
type Revocation struct {
	Database store.Database
	Email    string
	// Left is true when the actor revoked their own access: they stopped collaborating.
	Left bool
}

// Revoke ends the access of row id on the database ref: it removes a collaborator,
// cancels a pending invitation (its link stops working), or, on the actor's own row,
// makes them stop collaborating. Any member may do it; nobody can revoke the owner.
func (s *Service) Revoke(ctx context.Context, actorID int64, ref string, id int64) (Revocation, error) {
	var r Revocation
	err := s.Store.Tx(ctx, func(tx store.Conn) error {
		db, err := databaseForMember(ctx, tx, actorID, ref)
		if err != nil {
			return err
		}
		m, err := liveCollaborator(ctx, tx, db.ID, id)
		if err != nil {
			return err
		}
		if m.Status == store.StatusOwner {
			return ErrOwnerNotRevocable
		}
		r = Revocation{Database: db, Email: m.Email, Left: m.UserID == actorID}
		status := store.StatusRevoked
		if r.Left {
			status = store.StatusLeft
		}
		return tx.EndCollaboration(ctx, m.ID, status, s.now())
	})
	return r, err
}

func liveCollaborator(ctx context.Context, c store.Conn, databaseID string, id int64) (store.Collaborator, error) {
	m, err := c.LiveCollaborator(ctx, databaseID, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Collaborator{}, ErrNotFound
	}
	return m, err
}
