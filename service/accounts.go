package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/store"
)

// Password length bounds; bcrypt reads at most 72 bytes.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 72
)

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$`)

// SignupInput is what the sign-up form and the API send.
type SignupInput struct {
	Email    string
	Username string
	Password string
}

// Signup creates an account whose address counts as confirmed, for callers that vouch
// for it themselves (the load generator's seed, tests). People sign up through
// RequestSignup. Every field's problem is reported, not only the first.
func (s *Service) Signup(ctx context.Context, in SignupInput) (store.User, error) {
	email, err := validateSignup(in)
	if err != nil {
		return store.User{}, err
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return store.User{}, err
	}
	user := store.User{Email: email, Username: in.Username, PasswordHash: hash, CreatedAt: s.now(), VerifiedAt: s.now()}
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		var errs FieldErrors
		if _, err := tx.UserByEmail(ctx, email); err == nil {
			errs.add(errEmailHasAccount)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := freeUsername(ctx, tx.Conn, in.Username, 0, false); err != nil {
			errs.add(err)
			if _, ok := AsError(err); !ok {
				return err
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return tx.CreateUser(ctx, &user)
	})
	if err != nil {
		return store.User{}, err
	}
	return user, nil
}

// validateSignup checks every field of a sign-up and returns its address as stored.
func validateSignup(in SignupInput) (string, error) {
	var errs FieldErrors
	email, err := NormalizeEmail(in.Email)
	errs.add(err)
	if !usernamePattern.MatchString(in.Username) {
		errs.add(invalid("username", "A username has 2 to 32 letters, digits, dashes or underscores, starting with a letter or digit"))
	}
	errs.add(checkNewPassword("password", in.Password))
	if len(errs) > 0 {
		return "", errs
	}
	return email, nil
}

var errEmailHasAccount = conflict("email", "An account already uses this e-mail address; log in instead")

func (s *Service) hashPassword(password string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.passwordCost())
	if err != nil {
		return "", fmt.Errorf("service: hash password: %w", err)
	}
	return string(hash), nil
}

// dummyHashes holds, by bcrypt cost, a hash compared against when the e-mail is
// unknown, so that an unknown address and a wrong password take the same time.
var dummyHashes sync.Map

// dummyHash is a hash of the cost real ones have.
func (s *Service) dummyHash() []byte {
	cost := s.passwordCost()
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("dbcollab-dummy-password"), cost)
	stored, _ := dummyHashes.LoadOrStore(cost, h)
	return stored.([]byte)
}

// ErrWrongCredentials answers both an unknown address and a wrong password.
var ErrWrongCredentials = &Error{Kind: Unauthorized, Message: "Wrong e-mail or password"}

// Authenticate returns the user with that e-mail and password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (store.User, error) {
	normalized, err := NormalizeEmail(email)
	if err != nil {
		bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return store.User{}, ErrWrongCredentials
	}
	user, err := s.Store.UserByEmail(ctx, normalized)
	if errors.Is(err, store.ErrNotFound) {
		bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return store.User{}, ErrWrongCredentials
	}
	if err != nil {
		return store.User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(password)) != nil {
		return store.User{}, ErrWrongCredentials
	}
	if user.VerifiedAt.IsZero() {
		return store.User{}, s.refuseUnconfirmed(ctx, user)
	}
	return user, nil
}

// User returns the account with that ID, for the signed-in session.
func (s *Service) User(ctx context.Context, id int64) (store.User, error) {
	user, err := s.Store.UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrNotFound
	}
	return user, err
}

func (s *Service) passwordCost() int {
	if s.PasswordCost == 0 {
		return bcrypt.DefaultCost
	}
	return s.PasswordCost
}
