package service

import (
	"context"
	"errors"
	"fmt"

	"dbcollab/links"
	"dbcollab/mailer"
	"dbcollab/store"
)

// TransferOwnership makes the accepted collaborator email the owner of the database ref;
// its owner, actorID, stays on as a collaborator. Only the owner may do it, and every
// other row is left as it is. Both are e-mailed: the new owner is told, and the old one
// gets a receipt, the one exception to "no notice to the actor": an account that lost a
// database to a stolen session learns of it.
func (s *Service) TransferOwnership(ctx context.Context, actorID int64, ref, rawEmail string) (store.Database, error) {
	var db store.Database
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		var err error
		if db, err = databaseForMember(ctx, tx.Conn, actorID, ref); err != nil {
			return err
		}
		if db.OwnerID != actorID {
			return ErrNotOwner
		}
		to, err := transferTarget(ctx, tx.Conn, db, rawEmail)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.TransferOwnership(ctx, db.ID, to.ID, now); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, store.Event{DatabaseID: db.ID, Type: store.EventTransferred, ActorID: actorID, Target: to.Email, At: now}); err != nil {
			return err
		}
		old := db.Owner
		link := s.BaseURL + links.Collaborators(db.Name)
		for _, notice := range []store.Email{
			mailer.OwnershipNotice(to.Email, db.Name, fmt.Sprintf("%s (%s)", old.Username, old.Email), to.Email, false, link),
			mailer.OwnershipNotice(old.Email, db.Name, "", to.Email, true, link),
		} {
			notice.CreatedAt = now
			if err := tx.EnqueueEmail(ctx, &notice); err != nil {
				return err
			}
		}
		db, err = tx.DatabaseByID(ctx, db.ID)
		return err
	})
	if err != nil {
		return store.Database{}, err
	}
	s.emailQueued()
	return db, nil
}

// TransferCandidate returns the database and its row id, for the confirmation page, if
// actorID may make that row the owner. With a refusal it still returns the database
// when the actor may see it, so that the refusal can lead back to its tab.
func (s *Service) TransferCandidate(ctx context.Context, actorID int64, ref string, id int64) (store.Database, store.Collaborator, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, actorID, ref)
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	if db.OwnerID != actorID {
		return db, store.Collaborator{}, ErrNotOwner
	}
	m, err := liveCollaborator(ctx, s.Store.Conn, db.ID, id)
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	m, err = transferTarget(ctx, s.Store.Conn, db, m.Email)
	return db, m, err
}

// ErrNotOwner refuses a collaborator what only the owner may do.
var ErrNotOwner = &Error{Kind: Invalid, Message: "Only the owner can transfer the ownership of a database"}

// transferTarget is the accepted row of email on db, or a refusal naming the field.
func transferTarget(ctx context.Context, c store.Conn, db store.Database, rawEmail string) (store.Collaborator, error) {
	email, err := NormalizeEmail(rawEmail)
	if err != nil {
		return store.Collaborator{}, err
	}
	m, err := c.LiveCollaboratorByEmail(ctx, db.ID, email)
	if errors.Is(err, store.ErrNotFound) {
		return store.Collaborator{}, invalid("email", fmt.Sprintf("%s does not collaborate on %s: ownership can only go to a collaborator", email, db.Name))
	}
	if err != nil {
		return store.Collaborator{}, err
	}
	switch m.Status {
	case store.StatusOwner:
		return store.Collaborator{}, invalid("email", fmt.Sprintf("%s already owns %s", email, db.Name))
	case store.StatusPending:
		return store.Collaborator{}, invalid("email", fmt.Sprintf("%s has not accepted the invitation to %s yet: ownership can only go to a collaborator", email, db.Name))
	}
	return m, nil
}
