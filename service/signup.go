package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dbcollab/mailer"
	"dbcollab/store"
)

// A sign-up must prove its address: the account is made unconfirmed and a confirmation
// link is e-mailed, unless the sign-up started from an open invitation to that address
// (its link proves it already). Whether the address has an account or not, the answer
// is the same ("check your mailbox") and costs the same bcrypt; what differs only
// reaches the address's mailbox.
const (
	// ConfirmationTTL is how long a confirmation link works.
	ConfirmationTTL = 24 * time.Hour
	// confirmationResendAfter: a log-in to an unconfirmed account e-mails a new link at
	// most this often.
	confirmationResendAfter = time.Minute
	// Sign-ups are throttled like failed log-ins, but every attempt counts (each costs a
	// bcrypt and e-mails the address): per client address, and per e-mail address.
	signupAddressFreeAttempts = AddressFreeFailures
	signupEmailFreeAttempts   = AccountFreeFailures
)

// SignupRequest is a sign-up from the form.
type SignupRequest struct {
	SignupInput
	// ClientAddr is the address the request came from, for the throttle.
	ClientAddr string
	// InvitationToken is the link of the invitation the sign-up started from, if any.
	InvitationToken string
}

// SignupOutcome says what became of a sign-up. Verified (from an invitation) means the
// account is ready and User may be signed in; otherwise the person is told to check
// their mailbox, whatever happened.
type SignupOutcome struct {
	Verified bool
	User     store.User
}

// SignupThrottledError refuses a sign-up while its client or e-mail address must wait.
type SignupThrottledError struct {
	Wait time.Duration
}

func (e *SignupThrottledError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the rule's refusal, so that AsError finds it like any other.
func (e *SignupThrottledError) Unwrap() error {
	return &Error{Kind: TooMany, Message: fmt.Sprintf("Too many sign-up attempts; try again in %s", seconds(e.Seconds()))}
}

// Seconds is the wait in whole seconds, rounded up.
func (e *SignupThrottledError) Seconds() int { return int((e.Wait + time.Second - 1) / time.Second) }

func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", n)
}

// RequestSignup signs someone up (see the constants above). A username already taken
// is reported only to a sign-up whose address is proven (from an invitation); any other
// gets the first free name-2, name-3 … and reads it in the confirmation e-mail, so the
// answer does not tell which usernames exist.
func (s *Service) RequestSignup(ctx context.Context, req SignupRequest) (SignupOutcome, error) {
	email, err := validateSignup(req.SignupInput)
	if err != nil {
		return SignupOutcome{}, err
	}
	keys := []throttled{
		{throttleKey("signup-address", req.ClientAddr), signupAddressFreeAttempts},
		{throttleKey("signup-email", email), signupEmailFreeAttempts},
	}
	if wait := s.signups.begin(s.now(), keys...); wait > 0 {
		return SignupOutcome{}, &SignupThrottledError{Wait: wait}
	}
	hash, err := s.hashPassword(req.Password)
	if err != nil {
		return SignupOutcome{}, err
	}
	token, confirmHash, err := newSecret("")
	if err != nil {
		return SignupOutcome{}, err
	}
	var out SignupOutcome
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		out = SignupOutcome{} // not what an attempt that conflicted set
		proven, err := s.invitationProves(ctx, tx.Conn, req.InvitationToken, email)
		if err != nil {
			return err
		}
		now := s.now()
		u := store.User{Email: email, Username: req.Username, PasswordHash: hash, CreatedAt: now}
		existing, err := tx.UserByEmail(ctx, email)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case !existing.VerifiedAt.IsZero() && proven:
			return FieldErrors{errEmailHasAccount}
		case !existing.VerifiedAt.IsZero():
			return s.queueNotice(ctx, tx, mailer.AccountExistsNotice(email, existing.Username, s.BaseURL+"/login"))
		default:
			// An unconfirmed account proves nothing: the newest sign-up replaces it.
			u.ID, u.CreatedAt = existing.ID, existing.CreatedAt
		}
		if u.Username, err = freeUsername(ctx, tx.Conn, req.Username, u.ID, !proven); err != nil {
			if e, ok := AsError(err); ok {
				return FieldErrors{e}
			}
			return err
		}
		if proven {
			u.VerifiedAt = now
		} else {
			u.ConfirmHash, u.ConfirmSentAt = confirmHash, now
		}
		if u.ID != 0 {
			err = tx.RedoSignup(ctx, u)
		} else {
			err = tx.CreateUser(ctx, &u)
		}
		if err != nil {
			return err
		}
		if proven {
			out = SignupOutcome{Verified: true, User: u}
			return nil
		}
		return s.queueNotice(ctx, tx, mailer.ConfirmationNotice(email, u.Username, s.confirmationLink(token)))
	})
	if err != nil {
		return SignupOutcome{}, err
	}
	if !out.Verified {
		s.emailQueued()
	}
	return out, nil
}

// invitationProves reports whether token is the link of an open invitation to email.
func (s *Service) invitationProves(ctx context.Context, tx store.Conn, token, email string) (bool, error) {
	if token == "" {
		return false, nil
	}
	inv, err := s.invitationByToken(ctx, tx, token)
	return err == nil && inv.State == InvitationOpen && inv.Collaborator.Email == email, err
}

// freeUsername returns wanted if no other account than exceptID has it; otherwise, with
// suffix, the first free wanted-2, wanted-3 …, else the conflict.
func freeUsername(ctx context.Context, tx store.Conn, wanted string, exceptID int64, suffix bool) (string, error) {
	name := wanted
	for n := 2; ; n++ {
		taken, err := tx.UsernameTaken(ctx, name, exceptID)
		if err != nil || !taken {
			return name, err
		}
		if !suffix {
			return "", conflict("username", "This username is taken")
		}
		end := fmt.Sprintf("-%d", n)
		name = wanted[:min(len(wanted), maxUsernameLength-len(end))] + end
	}
}

// maxUsernameLength is the longest username usernamePattern allows.
const maxUsernameLength = 32

func (s *Service) confirmationLink(token string) string {
	return s.BaseURL + "/signup/confirm/" + token
}

func (s *Service) queueNotice(ctx context.Context, tx store.WriteTx, e store.Email) error {
	e.CreatedAt = s.now()
	return tx.EnqueueEmail(ctx, &e)
}

// refuseUnconfirmed answers a right password on an unconfirmed account: it e-mails a
// new confirmation link, unless one went less than confirmationResendAfter ago.
func (s *Service) refuseUnconfirmed(ctx context.Context, u store.User) error {
	refusal := &Error{Kind: Unauthorized, Message: fmt.Sprintf(
		"Your e-mail address is not confirmed yet: follow the link we e-mailed to %s, then log in.", u.Email)}
	if s.now().Sub(u.ConfirmSentAt) < confirmationResendAfter {
		return refusal
	}
	token, hash, err := newSecret("")
	if err != nil {
		return err
	}
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		if err := tx.SetConfirmation(ctx, u.ID, hash, s.now()); err != nil {
			return err
		}
		return s.queueNotice(ctx, tx, mailer.ConfirmationNotice(u.Email, u.Username, s.confirmationLink(token)))
	})
	if err != nil {
		return err
	}
	s.emailQueued()
	refusal.Message = fmt.Sprintf("Your e-mail address is not confirmed yet: we have e-mailed a new confirmation link to %s. Follow it, then log in.", u.Email)
	return refusal
}

// ErrConfirmationInvalid answers a confirmation link that cannot be used.
var ErrConfirmationInvalid = &Error{Kind: NotFound, Message: "This confirmation link cannot be used: it was already used, replaced by a newer one, or it expired. Log in to get a new one, or sign up again."}

// SignupConfirmation returns the unconfirmed account a confirmation link is for, for the
// page that asks to confirm it. Opening the link changes nothing.
func (s *Service) SignupConfirmation(ctx context.Context, token string) (store.User, error) {
	return s.confirmable(ctx, s.Store.Conn, token)
}

// ConfirmSignup confirms the address of the account behind token; the link is then used.
func (s *Service) ConfirmSignup(ctx context.Context, token string) (store.User, error) {
	var u store.User
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		var err error
		if u, err = s.confirmable(ctx, tx.Conn, token); err != nil {
			return err
		}
		u.VerifiedAt = s.now()
		return tx.ConfirmUser(ctx, u.ID, u.ConfirmHash, u.VerifiedAt)
	})
	return u, err
}

func (s *Service) confirmable(ctx context.Context, c store.Conn, token string) (store.User, error) {
	hash, ok := parseSecret("", token)
	if !ok {
		return store.User{}, ErrConfirmationInvalid
	}
	u, err := c.UserByConfirmHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !s.now().Before(u.ConfirmSentAt.Add(ConfirmationTTL))) {
		return store.User{}, ErrConfirmationInvalid
	}
	return u, err
}
