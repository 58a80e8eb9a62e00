package service_test

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"dbcollab/internal/teststore"
	"dbcollab/service"
)

// accessKey is the test service's access token key, so that tests can sign forgeries
// with it that only their claims give away.
var accessKey = []byte(strings.Repeat("k", 32))

// newAccessTokenService is newAPITokenService with a known access token key, and an API
// token of ada's exchanged for an access token.
func newAccessTokenService(t testing.TB) (a *apiTokenService, apiToken, accessToken string) {
	t.Helper()
	a = newAPITokenService(t)
	a.svc.AccessTokenKey = accessKey
	apiToken, _ = a.create(t, a.ada.ID, "scalingo")
	accessToken, err := a.svc.ExchangeAPIToken(t.Context(), apiToken)
	if err != nil {
		t.Fatal(err)
	}
	return a, apiToken, accessToken
}

func (a *apiTokenService) expectAccess(t *testing.T, accessToken string) {
	t.Helper()
	u, err := a.svc.UserByAccessToken(t.Context(), accessToken)
	if err != nil || u.ID != a.ada.ID {
		t.Fatalf("UserByAccessToken = %d, %v; want ada (%d)", u.ID, err, a.ada.ID)
	}
}

func (a *apiTokenService) expectRefused(t *testing.T, what, accessToken string) {
	t.Helper()
	u, err := a.svc.UserByAccessToken(t.Context(), accessToken)
	if !errors.Is(err, service.ErrInvalidAccessToken) {
		t.Fatalf("%s: UserByAccessToken = %+v, %v; want ErrInvalidAccessToken", what, u, err)
	}
}

// claimsOf reads an access token's claims without checking it.
func claimsOf(t *testing.T, accessToken string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(accessToken, claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func sign(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, key any) string {
	t.Helper()
	signed, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestAccessTokenLastsAnHourAndNamesItsAPIToken(t *testing.T) {
	a, _, accessToken := newAccessTokenService(t)
	claims := claimsOf(t, accessToken)
	issued, expires := claims["iat"].(float64), claims["exp"].(float64)
	if expires-issued != 3600 || int64(issued) != a.now.Unix() {
		t.Fatalf("iat %v, exp %v: want exp one hour after iat, iat now (%d)", issued, expires, a.now.Unix())
	}
	tokens := a.tokens(t, a.ada.ID)
	if claims["api_token_id"] != float64(tokens[0].ID) || claims["sub"] != strconv.FormatInt(a.ada.ID, 10) || claims["iss"] != "dbcollab" {
		t.Fatalf("claims %v: want api_token_id %d, sub %d, iss dbcollab", claims, tokens[0].ID, a.ada.ID)
	}
	if header := strings.Split(accessToken, ".")[0]; header != "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" {
		t.Fatalf("header %s: want HS256, JWT", header)
	}

	a.expectAccess(t, accessToken)
	a.now = a.now.Add(time.Hour - time.Second)
	a.expectAccess(t, accessToken)
	a.now = a.now.Add(2 * time.Second)
	a.expectRefused(t, "an hour and a second later", accessToken)
}

func TestRevokingTheAPITokenEndsItsAccessTokensAtOnce(t *testing.T) {
	a, apiToken, accessToken := newAccessTokenService(t)
	a.expectAccess(t, accessToken)
	if _, err := a.svc.RevokeAPIToken(t.Context(), a.ada.ID, a.tokens(t, a.ada.ID)[0].ID); err != nil {
		t.Fatal(err)
	}
	a.expectRefused(t, "API token revoked", accessToken)
	if _, err := a.svc.ExchangeAPIToken(t.Context(), apiToken); !errors.Is(err, service.ErrInvalidAPIToken) {
		t.Fatalf("exchanging the revoked API token: %v, want ErrInvalidAPIToken", err)
	}
}

// An API token that expires ends its access tokens, and can no longer be exchanged.
func TestAccessTokenEndsWhenItsAPITokenExpires(t *testing.T) {
	a := newAPITokenService(t)
	a.svc.AccessTokenKey = accessKey
	apiToken, stored, err := a.svc.CreateExpiringAPIToken(t.Context(), a.ada.ID, "a day", 1)
	if err != nil {
		t.Fatal(err)
	}
	a.now = stored.ExpiresAt.Add(-30 * time.Minute)
	accessToken, err := a.svc.ExchangeAPIToken(t.Context(), apiToken)
	if err != nil {
		t.Fatal(err)
	}
	a.expectAccess(t, accessToken)
	a.now = stored.ExpiresAt
	a.expectRefused(t, "its API token expired", accessToken)
	if _, err := a.svc.ExchangeAPIToken(t.Context(), apiToken); !errors.Is(err, service.ErrInvalidAPIToken) {
		t.Fatalf("exchanging the expired API token: %v, want ErrInvalidAPIToken", err)
	}
}

// SQLite gives a new row the ID of a deleted last row: the next API token must not
// bring back the access tokens of the revoked one.
func TestAccessTokenOfARevokedTokenDoesNotComeBackWithTheNextToken(t *testing.T) {
	teststore.SQLiteOnly(t, "PostgreSQL never gives an identity value twice")
	a, _, accessToken := newAccessTokenService(t)
	revoked := a.tokens(t, a.ada.ID)[0]
	if _, err := a.svc.RevokeAPIToken(t.Context(), a.ada.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	next, stored := a.create(t, a.ada.ID, "next")
	if stored.ID != revoked.ID {
		t.Fatalf("the next token has ID %d, not the revoked %d: this test needs the reuse", stored.ID, revoked.ID)
	}
	a.expectRefused(t, "access token of the revoked API token", accessToken)
	fresh, err := a.svc.ExchangeAPIToken(t.Context(), next)
	if err != nil {
		t.Fatal(err)
	}
	a.expectAccess(t, fresh)
}

func TestExchangeRefusesWhatIsNotALiveAPIToken(t *testing.T) {
	a, _, accessToken := newAccessTokenService(t)
	for _, token := range []string{"", "dbcollab_" + strings.Repeat("A", 43), accessToken, "not a token"} {
		if _, err := a.svc.ExchangeAPIToken(t.Context(), token); !errors.Is(err, service.ErrInvalidAPIToken) {
			t.Errorf("ExchangeAPIToken(%q): %v, want ErrInvalidAPIToken", token, err)
		}
	}
}

func TestAccessTokenRefusesForgeries(t *testing.T) {
	a, _, accessToken := newAccessTokenService(t)
	valid := claimsOf(t, accessToken)
	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := maps.Clone(valid)
		change(c)
		return c
	}
	none := sign(t, jwt.SigningMethodNone, valid, jwt.UnsafeAllowNoneSignatureType)
	parts := strings.Split(accessToken, ".")
	for what, forged := range map[string]string{
		"signed with another key":  sign(t, jwt.SigningMethodHS256, valid, []byte(strings.Repeat("x", 32))),
		"alg none":                 none,
		"alg none, signature kept": strings.TrimSuffix(none, ".") + "." + parts[2],
		"HS512 with the same key":  sign(t, jwt.SigningMethodHS512, valid, accessKey),
		"HS256 header swapped":     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9." + parts[1] + "." + parts[2],
		"without a signature":      parts[0] + "." + parts[1] + ".",
		"expired": sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) {
			c["iat"], c["exp"] = a.now.Add(-2*time.Hour).Unix(), a.now.Add(-time.Hour).Unix()
		}), accessKey),
		"without exp": sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "exp") }), accessKey),
		"without iat": sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "iat") }), accessKey),
		"issued in the future": sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) {
			c["iat"], c["exp"] = a.now.Add(time.Minute).Unix(), a.now.Add(time.Hour).Unix()
		}), accessKey),
		"lasting over an hour":   sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["exp"] = a.now.Add(2 * time.Hour).Unix() }), accessKey),
		"another issuer":         sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["iss"] = "scalingo" }), accessKey),
		"another subject":        sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["sub"] = "999" }), accessKey),
		"another API token":      sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["api_token_id"] = 999 }), accessKey),
		"another fingerprint":    sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["api_token_fp"] = "AAAAAAAAAAAAAAAA" }), accessKey),
		"the API token's own ID": sign(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["api_token_id"] = "1" }), accessKey),
		"empty":                  "",
	} {
		a.expectRefused(t, what, forged)
	}
	a.expectAccess(t, accessToken)
}

// FuzzAccessToken checks that nothing but the access token issued, byte for byte, opens
// the account: "{jwt}" in the input stands for it, so that the fuzzer mutates around it.
func FuzzAccessToken(f *testing.F) {
	for _, seed := range []string{"{jwt}", "{jwt}=", " {jwt}", "{jwt}.", "x{jwt}", "{jwt}A", "eyJhbGciOiJub25lIn0.e30."} {
		f.Add(seed)
	}
	a, _, accessToken := newAccessTokenService(f)
	f.Fuzz(func(t *testing.T, input string) {
		candidate := strings.ReplaceAll(input, "{jwt}", accessToken)
		u, err := a.svc.UserByAccessToken(t.Context(), candidate)
		switch {
		case candidate == accessToken && (err != nil || u.ID != a.ada.ID):
			t.Fatalf("the issued access token was refused: %v", err)
		case candidate != accessToken && !errors.Is(err, service.ErrInvalidAccessToken):
			t.Fatalf("%q: %+v, %v; want ErrInvalidAccessToken", candidate, u, err)
		}
	})
}
