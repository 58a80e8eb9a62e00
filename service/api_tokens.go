package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"dbcollab/store"
)

// An API token is a recognisable prefix and 32 random bytes; only the SHA-256 of the
// bytes is stored, so the database alone cannot be used to call the API.
const (
	apiTokenPrefix = "dbcollab_"
	apiTokenBytes  = secretBytes
	// MaxAPITokenNameLength bounds a token's name, in characters.
	MaxAPITokenNameLength = 100
	// apiTokenTouchInterval is how stale a token's "last used" may get: recording every
	// request would turn each read into a write.
	apiTokenTouchInterval = time.Minute
)

// ErrInvalidAPIToken answers a token that is malformed, unknown, expired or revoked alike.
var ErrInvalidAPIToken = &Error{Kind: Unauthorized, Message: "Invalid API token: it does not exist, has expired or has been revoked"}

// MaxAPITokenLifetimeDays bounds how long a token may be made to last; without an
// expiry it lasts until revoked.
const MaxAPITokenLifetimeDays = 365

// APITokenLifetime is a choice of the account page's expiry.
type APITokenLifetime struct {
	Days  int // 0: never expires
	Label string
}

// APITokenLifetimes are the expiries the account page offers.
var APITokenLifetimes = []APITokenLifetime{{0, "Never"}, {30, "30 days"}, {90, "90 days"}, {365, "1 year"}}

var errAPITokenLifetime = invalid("expires_in_days", fmt.Sprintf("A token expires after 1 to %d days, or never (0)", MaxAPITokenLifetimeDays))

// ParseAPITokenLifetime reads an expiry in days, as the account form and the API send
// it: a whole number from 0 (never expires, as is nothing at all) to MaxAPITokenLifetimeDays.
func ParseAPITokenLifetime(raw string) (days int, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, nil
	}
	days, err = strconv.Atoi(raw)
	if err != nil || checkAPITokenLifetime(days) != nil {
		return 0, errAPITokenLifetime
	}
	return days, nil
}

func checkAPITokenLifetime(days int) error {
	if days < 0 || days > MaxAPITokenLifetimeDays {
		return errAPITokenLifetime
	}
	return nil
}

func newAPIToken() (token string, hash []byte, err error) { return newSecret(apiTokenPrefix) }

// parseAPIToken returns the hash of a token; ok is false for anything that is not a
// token we could have made.
func parseAPIToken(token string) (hash []byte, ok bool) { return parseSecret(apiTokenPrefix, token) }

// breaksPlainText is true for what has no place in a one-line name: control characters,
// line and paragraph separators, and the bidirectional controls that can make a name
// display as another.
func breaksPlainText(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control)
}

// DefaultAPITokenName names a token made by logging in through the API without a name.
func DefaultAPITokenName(at time.Time) string {
	return "dbcollab CLI on " + at.UTC().Format("2006-01-02")
}

// CreateAPIToken makes a named API token for userID that never expires, and returns it
// in clear, the only time it is available.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, name string) (string, store.APIToken, error) {
	return s.CreateExpiringAPIToken(ctx, userID, name, 0)
}

// CreateExpiringAPIToken is CreateAPIToken for a token refused from lifetimeDays after
// its creation on (0: never).
func (s *Service) CreateExpiringAPIToken(ctx context.Context, userID int64, name string, lifetimeDays int) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	if err := checkAPITokenLifetime(lifetimeDays); err != nil {
		return "", store.APIToken{}, err
	}
	switch {
	case name == "":
		return "", store.APIToken{}, invalid("name", "Enter a name for the token")
	case utf8.RuneCountInString(name) > MaxAPITokenNameLength:
		return "", store.APIToken{}, invalid("name", fmt.Sprintf("A token name has at most %d characters", MaxAPITokenNameLength))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, breaksPlainText):
		return "", store.APIToken{}, invalid("name", "A token name is one line of plain text, without tabs or control characters")
	}
	token, hash, err := newAPIToken()
	if err != nil {
		return "", store.APIToken{}, err
	}
	t := store.APIToken{UserID: userID, Name: name, TokenHash: hash, CreatedAt: s.now()}
	if lifetimeDays > 0 {
		t.ExpiresAt = t.CreatedAt.AddDate(0, 0, lifetimeDays)
	}
	if err := s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.InsertAPIToken(ctx, &t) }); err != nil {
		return "", store.APIToken{}, err
	}
	return token, t, nil
}

// LogInForAPIToken logs in, behind the log-in throttle, and makes an API token for
// that account, named name or else DefaultAPITokenName, that expires after
// lifetimeDays (0: never).
func (s *Service) LogInForAPIToken(ctx context.Context, attempt LoginAttempt, name string, lifetimeDays int) (string, store.APIToken, error) {
	// A malformed request is refused before it costs a bcrypt or counts as a failure.
	if err := checkAPITokenLifetime(lifetimeDays); err != nil {
		return "", store.APIToken{}, err
	}
	user, err := s.LogIn(ctx, attempt)
	if err != nil {
		return "", store.APIToken{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = DefaultAPITokenName(s.now())
	}
	return s.CreateExpiringAPIToken(ctx, user.ID, name, lifetimeDays)
}

// UserByAPIToken returns the account an API token belongs to and records its use. The
// rights that go with the account are read afresh by each rule, so a revocation holds
// from the next request.
func (s *Service) UserByAPIToken(ctx context.Context, token string) (store.User, error) {
	t, err := s.apiToken(ctx, token)
	if err != nil {
		return store.User{}, err
	}
	if err := s.touchAPIToken(ctx, t); err != nil {
		return store.User{}, err
	}
	return t.User, nil
}

// expired: from its expiry on, a token is refused.
func expired(t store.APIToken, now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// apiToken returns the stored token, with its user, of a token in clear.
func (s *Service) apiToken(ctx context.Context, token string) (store.APIToken, error) {
	hash, ok := parseAPIToken(token)
	if !ok {
		return store.APIToken{}, ErrInvalidAPIToken
	}
	t, err := s.Store.APITokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) || err == nil && expired(t, s.now()) {
		return store.APIToken{}, ErrInvalidAPIToken
	}
	return t, err
}

// touchAPIToken records that t is being used, at most once per apiTokenTouchInterval.
func (s *Service) touchAPIToken(ctx context.Context, t store.APIToken) error {
	if now := s.now(); now.Sub(t.LastUsedAt) >= apiTokenTouchInterval {
		return s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.TouchAPIToken(ctx, t.ID, now) })
	}
	return nil
}

// APITokens lists userID's API tokens, newest first, each marked whether it has expired.
func (s *Service) APITokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	list, err := s.Store.APITokensForUser(ctx, userID)
	now := s.now()
	for i := range list {
		list[i].Expired = expired(list[i], now)
	}
	return list, err
}

// RevokeAPIToken deletes userID's token id, which stops working at once, and returns it.
// Someone else's token is not found.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, id int64) (store.APIToken, error) {
	var t store.APIToken
	err := s.Store.Tx(ctx, func(tx store.WriteTx) (err error) {
		t, err = tx.DeleteAPIToken(ctx, userID, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.APIToken{}, ErrNotFound
	}
	return t, err
}

// RevokeAPITokenInUse deletes the API token a request was made with, which stops
// working at once: how the command line logs out.
func (s *Service) RevokeAPITokenInUse(ctx context.Context, token string) error {
	hash, ok := parseAPIToken(token)
	if !ok {
		return ErrInvalidAPIToken
	}
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		_, err := tx.DeleteAPITokenByHash(ctx, hash)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidAPIToken
	}
	return err
}
