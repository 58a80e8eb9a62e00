package service

import (
	"context"
	"errors"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/links"
	"dbcollab/mailer"
	"dbcollab/store"
)

// The account page changes the password (the current one required; the other sessions
// end) and the e-mail address (the current password required; the new address must
// follow a link before it replaces the old one, and both are told).

// ErrEmailChangeInvalid answers an e-mail change link that cannot be used.
var ErrEmailChangeInvalid = &Error{Kind: NotFound, Message: "This confirmation link cannot be used: it was already used, replaced by a newer one, or it expired. Ask for the change again on your account page."}

const wrongPasswordMessage = "This is not your current password"

// checkCurrentPassword compares password with userID's, behind the log-in throttle of
// that account: a taken session cannot guess it faster than a log-in could.
func (s *Service) checkCurrentPassword(ctx context.Context, userID int64, field, password string) (store.User, error) {
	u, err := s.User(ctx, userID)
	if err != nil {
		return store.User{}, err
	}
	key := []throttled{{throttleKey("current password", u.Email), AccountFreeFailures}}
	if wait, err := s.beginAttempt(ctx, key...); err != nil {
		return store.User{}, err
	} else if wait > 0 {
		return store.User{}, &ThrottledError{Wait: wait}
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return store.User{}, invalid(field, wrongPasswordMessage)
	}
	return u, s.undoAttempt(ctx, key...)
}

// ChangePassword replaces userID's password, given the current one, and ends every
// other session of the account than keepSessionID; it says how many it ended.
func (s *Service) ChangePassword(ctx context.Context, userID, keepSessionID int64, current, password string) (int64, error) {
	var errs FieldErrors
	errs.add(checkNewPassword("new_password", password))
	if _, err := s.checkCurrentPassword(ctx, userID, "current_password", current); err != nil {
		if _, ok := AsError(err); !ok {
			return 0, err
		}
		errs.add(err)
	}
	if len(errs) > 0 {
		return 0, errs
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return 0, err
	}
	var ended int64
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		if err := tx.SetPassword(ctx, userID, hash); err != nil {
			return err
		}
		ended, err = tx.DeleteOtherSessions(ctx, userID, keepSessionID)
		return err
	})
	return ended, err
}

// RequestEmailChange e-mails a confirmation link to newEmail, which must pass the
// sign-up's checks, and tells the current address; nothing changes until the link is
// followed. An address another account uses gets told so in its own mailbox, and the
// answer is the same, as a sign-up's is.
func (s *Service) RequestEmailChange(ctx context.Context, userID int64, newEmail, password string) (string, error) {
	var errs FieldErrors
	email, err := NormalizeEmail(newEmail)
	if e, ok := AsError(err); ok {
		errs.add(&Error{Kind: e.Kind, Field: "new_email", Message: e.Message})
	}
	u, err := s.checkCurrentPassword(ctx, userID, "email_password", password)
	if _, ok := AsError(err); err != nil && !ok {
		return "", err
	}
	errs.add(err)
	if err == nil && email == u.Email {
		errs.add(invalid("new_email", "This is already your e-mail address"))
	}
	if len(errs) > 0 {
		return "", errs
	}
	token, hash, err := newSecret("")
	if err != nil {
		return "", err
	}
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		_, err := tx.UserByEmail(ctx, email)
		switch {
		case err == nil:
			if err := s.queueNotice(ctx, tx, mailer.EmailTakenNotice(email, u.Username, s.BaseURL+links.Login)); err != nil {
				return err
			}
		case errors.Is(err, store.ErrNotFound):
			if err := tx.PutEmailChange(ctx, store.EmailChange{UserID: u.ID, NewEmail: email, TokenHash: hash, CreatedAt: s.now()}); err != nil {
				return err
			}
			if err := s.queueNotice(ctx, tx, mailer.EmailChangeLinkNotice(email, u.Username, s.BaseURL+links.EmailConfirmationLink(token))); err != nil {
				return err
			}
		default:
			return err
		}
		return s.queueNotice(ctx, tx, mailer.EmailChangeRequestedNotice(u.Email, u.Username, email, s.BaseURL+links.Account))
	})
	if err != nil {
		return "", err
	}
	s.emailQueued()
	return email, nil
}

// EmailChange returns the pending change a confirmation link is for, and its account,
// for the page that asks to confirm it. Opening the link changes nothing.
func (s *Service) EmailChange(ctx context.Context, token string) (store.EmailChange, store.User, error) {
	return s.usableEmailChange(ctx, s.Store.Conn, token)
}

// ConfirmEmailChange moves the account behind a confirmation link to its new address,
// and tells the old one; the link is then used. From then on, invitations to the new
// address can be accepted by the account.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (store.User, error) {
	var u store.User
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		ch, user, err := s.usableEmailChange(ctx, tx.Conn, token)
		if err != nil {
			return err
		}
		u = user
		err = tx.ChangeEmail(ctx, u.ID, ch.TokenHash, ch.NewEmail)
		if errors.Is(err, store.ErrDuplicate) {
			return &Error{Kind: Conflict, Message: "Another account took this address in the meantime: your address stays " + u.Email + "."}
		}
		if err != nil {
			return err
		}
		old := u.Email
		u.Email = ch.NewEmail
		return s.queueNotice(ctx, tx, mailer.EmailChangedNotice(old, u.Username, u.Email, s.BaseURL+links.Login))
	})
	if err != nil {
		return store.User{}, err
	}
	s.emailQueued()
	return u, nil
}

func (s *Service) usableEmailChange(ctx context.Context, c store.Conn, token string) (store.EmailChange, store.User, error) {
	hash, ok := parseSecret("", token)
	if !ok {
		return store.EmailChange{}, store.User{}, ErrEmailChangeInvalid
	}
	ch, err := c.EmailChangeByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !s.now().Before(ch.CreatedAt.Add(ConfirmationTTL))) {
		return store.EmailChange{}, store.User{}, ErrEmailChangeInvalid
	}
	if err != nil {
		return store.EmailChange{}, store.User{}, err
	}
	u, err := c.UserByID(ctx, ch.UserID)
	return ch, u, err
}
