package service

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/mailer"
	"dbcollab/store"
)

// ErrNotOwnerDelete refuses a collaborator what only the owner may do.
var ErrNotOwnerDelete = &Error{Kind: Invalid, Message: "Only the owner can delete a database"}

// DeleteDatabase deletes the database ref; only its owner, actorID, may. The API names
// it in its path, which is confirmation enough.
func (s *Service) DeleteDatabase(ctx context.Context, actorID int64, ref string) (store.Database, error) {
	return s.deleteDatabase(ctx, actorID, ref, func(store.Database) error { return nil })
}

// DeleteDatabaseConfirmed is DeleteDatabase once typedName, what the owner typed to
// confirm, is the database's name.
func (s *Service) DeleteDatabaseConfirmed(ctx context.Context, actorID int64, ref, typedName string) (store.Database, error) {
	return s.deleteDatabase(ctx, actorID, ref, func(db store.Database) error {
		if strings.TrimSpace(typedName) != db.Name {
			return invalid("name", fmt.Sprintf("Type %s, the name of the database, to delete it", db.Name))
		}
		return nil
	})
}

// deleteDatabase deletes the database with its rows and Activity; its accepted
// collaborators are told, its owner gets a receipt, and its invitation links then say
// it no longer exists. Its name is free again. With a refusal it still returns the
// database when the actor may see it, so that the refusal can lead back to it.
func (s *Service) deleteDatabase(ctx context.Context, actorID int64, ref string, confirm func(store.Database) error) (store.Database, error) {
	var db store.Database
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		var err error
		if db, err = databaseForMember(ctx, tx.Conn, actorID, ref); err != nil {
			return err
		}
		if db.OwnerID != actorID {
			return ErrNotOwnerDelete
		}
		if err := confirm(db); err != nil {
			return err
		}
		rows, err := tx.Collaborators(ctx, db.ID)
		if err != nil {
			return err
		}
		now := s.now()
		owner, link := db.Owner, s.BaseURL+"/"
		notices := []store.Email{mailer.DatabaseDeletedNotice(owner.Email, db.Name, "", true, link)}
		for _, m := range rows {
			if m.Status == store.StatusAccepted {
				who := fmt.Sprintf("%s (%s)", owner.Username, owner.Email)
				notices = append(notices, mailer.DatabaseDeletedNotice(m.Email, db.Name, who, false, link))
			}
		}
		for _, notice := range notices {
			notice.CreatedAt = now
			if err := tx.EnqueueEmail(ctx, &notice); err != nil {
				return err
			}
		}
		if err := s.enqueueDatabaseDrop(ctx, tx, db); err != nil {
			return err
		}
		return tx.DeleteDatabase(ctx, db.ID, now)
	})
	if err != nil {
		return db, err
	}
	s.AccessQueued()
	s.emailQueued()
	return db, nil
}

// AccountDeletion is what the account page's "Delete account" form sends.
type AccountDeletion struct {
	Password string
	// Email is the account's address, typed to confirm. Refusals name the form's fields
	// delete_password and delete_confirm_email.
	Email string
}

// DeleteAccount deletes the account userID once its password and typed address match.
// It is refused while the account owns a database. Otherwise the person leaves every
// database they collaborate on, exactly as if they left one by one; their API tokens go,
// the events they did keep their address, pending invitations addressed to them stay,
// and the address is free for a new account.
func (s *Service) DeleteAccount(ctx context.Context, userID int64, in AccountDeletion) error {
	user, err := s.User(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.refuseOwner(ctx, s.Store.Conn, userID); err != nil {
		return err
	}
	if err := s.checkDeletionPassword(ctx, user, in.Password); err != nil {
		return err
	}
	if typed, _ := NormalizeEmail(in.Email); typed != user.Email {
		return invalid("delete_confirm_email", "Type your e-mail address, "+user.Email+", to delete your account")
	}
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		// Checked again in the transaction: nothing may have changed since.
		current, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if current.PasswordHash != user.PasswordHash {
			return errWrongDeletionPassword
		}
		if err := s.refuseOwner(ctx, tx.Conn, userID); err != nil {
			return err
		}
		dbs, err := tx.DatabasesForMember(ctx, userID)
		if err != nil {
			return err
		}
		for _, db := range dbs {
			m, err := tx.LiveCollaboratorByUser(ctx, db.ID, userID)
			if err != nil {
				return err
			}
			if _, err := s.endAccess(ctx, tx, db, user, m); err != nil {
				return err
			}
		}
		return tx.DeleteUser(ctx, user, s.now())
	})
	if err == nil {
		s.AccessQueued()
		s.emailQueued()
	}
	return err
}

// refuseOwner refuses to delete an account that owns databases, naming them.
func (s *Service) refuseOwner(ctx context.Context, c store.Conn, userID int64) error {
	dbs, err := c.DatabasesForMember(ctx, userID)
	if err != nil {
		return err
	}
	var owned []string
	for _, db := range dbs {
		if db.OwnerID == userID {
			owned = append(owned, db.Name)
		}
	}
	if len(owned) == 0 {
		return nil
	}
	return conflict("", fmt.Sprintf("You own %s: transfer or delete them first", strings.Join(owned, ", ")))
}

// errWrongDeletionPassword refuses a deletion without the account's password.
var errWrongDeletionPassword = invalid("delete_password", "This is not your current password")

// checkDeletionPassword compares password with user's, behind the log-in throttle of the
// account: a stolen session guesses it no faster here than on the log-in page.
func (s *Service) checkDeletionPassword(ctx context.Context, user store.User, password string) error {
	account := throttled{throttleKey("account", loginAccount(user.Email)), AccountFreeFailures}
	if wait, err := s.beginAttempt(ctx, account); err != nil {
		return err
	} else if wait > 0 {
		return &Error{Kind: TooMany, Field: "delete_password", Message: (&ThrottledError{Wait: wait}).Error()}
	}
	if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(password)) != nil {
		return errWrongDeletionPassword
	}
	return s.undoAttempt(ctx, account)
}
