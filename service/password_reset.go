package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dbcollab/links"
	"dbcollab/mailer"
	"dbcollab/store"
)

// A forgotten password is reset through a link e-mailed to the account's address: it
// works once, for PasswordResetTTL, and only its hash is stored. Asking for one answers
// the same whether the address has an account or not, and is throttled like sign-ups.
const PasswordResetTTL = time.Hour

// ErrPasswordResetInvalid answers a reset link that cannot be used.
var ErrPasswordResetInvalid = &Error{Kind: NotFound, Message: "This password reset link cannot be used: it was already used, replaced by a newer one, or it expired. Ask for a new one."}

// ResetThrottledError refuses a reset request while its client or e-mail address must wait.
type ResetThrottledError struct {
	Wait time.Duration
}

func (e *ResetThrottledError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the rule's refusal, so that AsError finds it like any other.
func (e *ResetThrottledError) Unwrap() error {
	return &Error{Kind: TooMany, Message: fmt.Sprintf("Too many password reset requests; try again in %s", seconds(e.Seconds()))}
}

// Seconds is the wait in whole seconds, rounded up.
func (e *ResetThrottledError) Seconds() int { return int((e.Wait + time.Second - 1) / time.Second) }

// RequestPasswordReset e-mails a reset link to email if a confirmed account uses it,
// and nothing otherwise; the caller answers alike either way. Every request counts
// against the throttle, per client address and per e-mail address.
func (s *Service) RequestPasswordReset(ctx context.Context, email, clientAddr string) error {
	normalized, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	keys := []throttled{
		{throttleKey("reset-address", clientGroup(clientAddr)), AddressFreeFailures},
		{throttleKey("reset-email", normalized), AccountFreeFailures},
	}
	if wait := s.resets.begin(s.now(), keys...); wait > 0 {
		return &ResetThrottledError{Wait: wait}
	}
	token, hash, err := newSecret("")
	if err != nil {
		return err
	}
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		u, err := tx.UserByEmail(ctx, normalized)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// Without a confirmed account, the same writes are tried and rolled back, so that
		// the answer takes as long (the reset row, with no user, fails its foreign key).
		var discard error
		if err != nil || u.VerifiedAt.IsZero() {
			u, discard = store.User{Email: normalized}, errNoResetToSend
		}
		if err := tx.PutPasswordReset(ctx, store.PasswordReset{UserID: u.ID, TokenHash: hash, CreatedAt: s.now()}); err != nil && discard == nil {
			return err
		}
		// Discarded, its error too: on PostgreSQL the failed foreign key aborts the
		// transaction, and this write is refused.
		if err := s.queueNotice(ctx, tx, mailer.PasswordResetNotice(u.Email, u.Username, s.BaseURL+links.PasswordResetLink(token))); err != nil && discard == nil {
			return err
		}
		return discard
	})
	if errors.Is(err, errNoResetToSend) {
		return nil
	}
	if err == nil {
		s.emailQueued()
	}
	return err
}

// errNoResetToSend rolls back the writes of a reset request for an address without a
// confirmed account.
var errNoResetToSend = errors.New("no account to reset")

// PasswordReset returns the account a reset link is for, for the page that asks for the
// new password. Opening the link changes nothing.
func (s *Service) PasswordReset(ctx context.Context, token string) (store.User, error) {
	_, u, err := s.usableReset(ctx, s.Store.Conn, token)
	return u, err
}

// ResetPassword sets the password of the account behind a reset link, which is then
// used; every session of the account ends, and a new one starts for the browser that
// set it (userAgent, clientAddr): the session ID its cookie is to hold is returned.
// API tokens are left alone.
func (s *Service) ResetPassword(ctx context.Context, token, password, userAgent, clientAddr string) (store.User, string, error) {
	if err := checkNewPassword("password", password); err != nil {
		return store.User{}, "", err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return store.User{}, "", err
	}
	var u store.User
	var session string
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		r, user, err := s.usableReset(ctx, tx.Conn, token)
		if err != nil {
			return err
		}
		u = user
		if err := tx.UsePasswordReset(ctx, r.TokenHash); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if _, err := tx.DeleteOtherSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		session, err = s.startSession(ctx, tx, u.ID, userAgent, clientAddr)
		return err
	})
	if err != nil {
		return store.User{}, "", err
	}
	s.logins.forget(throttleKey("account", u.Email))
	return u, session, nil
}

func (s *Service) usableReset(ctx context.Context, c store.Conn, token string) (store.PasswordReset, store.User, error) {
	hash, ok := parseSecret("", token)
	if !ok {
		return store.PasswordReset{}, store.User{}, ErrPasswordResetInvalid
	}
	r, err := c.PasswordResetByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !s.now().Before(r.CreatedAt.Add(PasswordResetTTL))) {
		return store.PasswordReset{}, store.User{}, ErrPasswordResetInvalid
	}
	if err != nil {
		return store.PasswordReset{}, store.User{}, err
	}
	u, err := c.UserByID(ctx, r.UserID)
	return r, u, err
}

// checkNewPassword applies the sign-up's length rules to a new password typed in field.
func checkNewPassword(field, password string) error {
	switch {
	case len(password) < MinPasswordLength:
		return invalid(field, fmt.Sprintf("A password has at least %d characters", MinPasswordLength))
	case len(password) > MaxPasswordLength:
		return invalid(field, fmt.Sprintf("A password has at most %d bytes", MaxPasswordLength))
	}
	return nil
}
