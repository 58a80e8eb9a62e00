package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"dbcollab/store"
)

// An access token is what the token exchange of the Scalingo-compatible API gives for an
// API token: a JWT (HS256) that names its API token, so that revoking the API token ends
// it at once, and that lasts at most AccessTokenTTL.
const (
	// AccessTokenTTL is how long an access token works after the exchange.
	AccessTokenTTL    = time.Hour
	accessTokenIssuer = "dbcollab"
	// fingerprintBytes of the API token's hash travel in the access token: SQLite gives a
	// new token the ID of a deleted last row, and the fingerprint tells them apart.
	fingerprintBytes = 12
)

// ErrInvalidAccessToken answers an access token that is malformed, forged, expired, or
// whose API token was revoked, alike.
var ErrInvalidAccessToken = &Error{Kind: Unauthorized,
	Message: "Invalid access token: it is malformed, expired, or its API token was revoked"}

type accessClaims struct {
	jwt.RegisteredClaims
	// APITokenID and Fingerprint name the API token the access token was exchanged for.
	APITokenID  int64  `json:"api_token_id"`
	Fingerprint string `json:"api_token_fp"`
}

// ExchangeAPIToken returns a fresh access token for an API token.
func (s *Service) ExchangeAPIToken(ctx context.Context, apiToken string) (string, error) {
	t, err := s.apiToken(ctx, apiToken)
	if err != nil {
		return "", err
	}
	// The exchange is a use of the API token, shown as its last use on the account page.
	if err := s.touchAPIToken(ctx, t); err != nil {
		return "", err
	}
	now := s.now().Truncate(time.Second)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    accessTokenIssuer,
			Subject:   strconv.FormatInt(t.UserID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		},
		APITokenID:  t.ID,
		Fingerprint: fingerprint(t),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.accessTokenKey())
	if err != nil {
		return "", fmt.Errorf("service: sign access token: %w", err)
	}
	return signed, nil
}

// UserByAccessToken returns the account an access token was issued to, if its signature,
// its times and its API token all hold now.
func (s *Service) UserByAccessToken(ctx context.Context, accessToken string) (store.User, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(accessToken, &claims, func(*jwt.Token) (any, error) { return s.accessTokenKey(), nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithStrictDecoding(), jwt.WithIssuer(accessTokenIssuer),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(s.now))
	if err != nil || !claims.withinTTL() {
		return store.User{}, ErrInvalidAccessToken
	}
	t, err := s.Store.APITokenByID(ctx, claims.APITokenID)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, ErrInvalidAccessToken
	}
	if err != nil {
		return store.User{}, err
	}
	if claims.Subject != strconv.FormatInt(t.UserID, 10) ||
		subtle.ConstantTimeCompare([]byte(claims.Fingerprint), []byte(fingerprint(t))) != 1 ||
		expired(t, s.now()) {
		return store.User{}, ErrInvalidAccessToken
	}
	if err := s.touchAPIToken(ctx, t); err != nil {
		return store.User{}, err
	}
	return t.User, nil
}

// withinTTL: issued, and expiring no later than AccessTokenTTL after it.
func (c accessClaims) withinTTL() bool {
	return c.IssuedAt != nil && c.ExpiresAt != nil && !c.ExpiresAt.After(c.IssuedAt.Add(AccessTokenTTL))
}

func fingerprint(t store.APIToken) string {
	return base64.RawURLEncoding.EncodeToString(t.TokenHash[:min(len(t.TokenHash), fingerprintBytes)])
}

// accessTokenKey is AccessTokenKey, or else a random key made once: access tokens then
// last until the process stops. A key is never empty, which HMAC would accept.
func (s *Service) accessTokenKey() []byte {
	s.accessKeyOnce.Do(func() {
		s.accessKey = s.AccessTokenKey
		if len(s.accessKey) == 0 {
			s.accessKey = make([]byte, 32)
			if _, err := rand.Read(s.accessKey); err != nil {
				panic(fmt.Sprintf("service: random access token key: %v", err))
			}
		}
	})
	return s.accessKey
}
