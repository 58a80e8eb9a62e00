package service_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/store"
)

// apiTokenService is a service on a fresh store whose clock the test moves, with one
// account, ada@example.com, password "ada-password".
type apiTokenService struct {
	svc *service.Service
	dsn string
	now time.Time
	ada store.User
}

func newAPITokenService(t testing.TB) *apiTokenService {
	t.Helper()
	st, dsn := teststore.Open(t)
	a := &apiTokenService{dsn: dsn, now: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}
	a.svc = &service.Service{Store: st, PasswordCost: bcrypt.MinCost, Now: func() time.Time { return a.now }}
	var err error
	if a.ada, err = a.svc.Signup(t.Context(), service.SignupInput{Email: "ada@example.com", Username: "ada", Password: "ada-password"}); err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *apiTokenService) create(t testing.TB, userID int64, name string) (string, store.APIToken) {
	t.Helper()
	token, stored, err := a.svc.CreateAPIToken(t.Context(), userID, name)
	if err != nil {
		t.Fatalf("CreateAPIToken(%q): %v", name, err)
	}
	return token, stored
}

func (a *apiTokenService) tokens(t *testing.T, userID int64) []store.APIToken {
	t.Helper()
	list, err := a.svc.APITokens(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestAPITokenIsThirtyTwoRandomBytesStoredOnlyAsTheirHash(t *testing.T) {
	a := newAPITokenService(t)
	token, stored := a.create(t, a.ada.ID, "laptop")
	other, _ := a.create(t, a.ada.ID, "desktop")
	if token == other {
		t.Fatal("two tokens are equal")
	}

	secret, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimPrefix(token, "dbcollab_"))
	if err != nil || len(secret) != 32 || !strings.HasPrefix(token, "dbcollab_") {
		t.Fatalf("token %q is not dbcollab_ and 32 base64url bytes (%d bytes, %v)", token, len(secret), err)
	}
	sum := sha256.Sum256(secret)
	if !bytes.Equal(stored.TokenHash, sum[:]) {
		t.Fatal("stored hash is not the SHA-256 of the token's bytes")
	}
	expectNowhereStored(t, a.dsn, token)
	// Neither the token nor its bytes may be anywhere in the database files; the hash
	// must be, or the scan looked in the wrong place.
	teststore.SQLiteOnly(t, "the rest reads the database's files")
	hashSeen := false
	for _, file := range []string{a.dsn, a.dsn + "-wal"} {
		content, err := os.ReadFile(file)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(content, []byte(token)) || bytes.Contains(content, secret) {
			t.Fatalf("%s holds the token in clear", filepath.Base(file))
		}
		hashSeen = hashSeen || bytes.Contains(content, sum[:])
	}
	if !hashSeen {
		t.Fatal("the token's hash is in no database file: the scan proves nothing")
	}
}

func TestAPITokenAuthenticatesItsUserUntilRevoked(t *testing.T) {
	a := newAPITokenService(t)
	token, stored := a.create(t, a.ada.ID, "laptop")

	user, err := a.svc.UserByAPIToken(t.Context(), token)
	if err != nil || user.ID != a.ada.ID {
		t.Fatalf("UserByAPIToken = %+v, %v; want ada", user, err)
	}
	revoked, err := a.svc.RevokeAPIToken(t.Context(), a.ada.ID, stored.ID)
	if err != nil || revoked.Name != "laptop" {
		t.Fatalf("RevokeAPIToken = %+v, %v", revoked, err)
	}
	if _, err := a.svc.UserByAPIToken(t.Context(), token); !errors.Is(err, service.ErrInvalidAPIToken) {
		t.Fatalf("revoked token: got %v, want ErrInvalidAPIToken", err)
	}
	if list := a.tokens(t, a.ada.ID); len(list) != 0 {
		t.Fatalf("revoked token still listed: %+v", list)
	}
}

func TestMalformedOrUnknownAPITokensAreRefusedAlike(t *testing.T) {
	a := newAPITokenService(t)
	token, _ := a.create(t, a.ada.ID, "laptop")
	unknown := "dbcollab_" + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, bad := range []string{"", "dbcollab_", "garbage", token[len("dbcollab_"):], token + "x", token[:len(token)-1], unknown} {
		if _, err := a.svc.UserByAPIToken(t.Context(), bad); err != service.ErrInvalidAPIToken {
			t.Errorf("UserByAPIToken(%q) = %v, want ErrInvalidAPIToken", bad, err)
		}
	}
}

func TestAPITokenLastUseIsRecordedAtMostOnceAMinute(t *testing.T) {
	a := newAPITokenService(t)
	token, _ := a.create(t, a.ada.ID, "laptop")
	use := func() time.Time {
		t.Helper()
		if _, err := a.svc.UserByAPIToken(t.Context(), token); err != nil {
			t.Fatal(err)
		}
		return a.tokens(t, a.ada.ID)[0].LastUsedAt
	}
	if got := a.tokens(t, a.ada.ID)[0].LastUsedAt; !got.IsZero() {
		t.Fatalf("unused token has last use %v", got)
	}
	first := a.now
	if got := use(); !got.Equal(first) {
		t.Fatalf("first use recorded as %v, want %v", got, first)
	}
	a.now = first.Add(59 * time.Second)
	if got := use(); !got.Equal(first) {
		t.Fatalf("use 59 s later recorded as %v, want it left at %v", got, first)
	}
	a.now = first.Add(time.Minute)
	if got := use(); !got.Equal(a.now) {
		t.Fatalf("use a minute later recorded as %v, want %v", got, a.now)
	}
}

func TestLogInForAPITokenRefusesUnknownAddressAndWrongPasswordAlike(t *testing.T) {
	a := newAPITokenService(t)
	for _, c := range []struct{ email, password string }{
		{"nobody@example.com", "ada-password"},
		{"ada@example.com", "wrong-password"},
		{"not an address", "ada-password"},
	} {
		if _, _, err := a.svc.LogInForAPIToken(t.Context(), service.LoginAttempt{Email: c.email, Password: c.password}, "", 0); err != service.ErrWrongCredentials {
			t.Errorf("LogInForAPIToken(%s, %s) = %v, want ErrWrongCredentials", c.email, c.password, err)
		}
	}
	if list := a.tokens(t, a.ada.ID); len(list) != 0 {
		t.Fatalf("refused log-ins made tokens: %+v", list)
	}
}

func TestLogInForAPITokenNamesTheTokenAfterTheCLIAndTheDay(t *testing.T) {
	a := newAPITokenService(t)
	token, stored, err := a.svc.LogInForAPIToken(t.Context(), service.LoginAttempt{Email: " ADA@example.com", Password: "ada-password"}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "dbcollab CLI on 2025-03-14" {
		t.Fatalf("default name = %q", stored.Name)
	}
	if user, err := a.svc.UserByAPIToken(t.Context(), token); err != nil || user.ID != a.ada.ID {
		t.Fatalf("token from log-in authenticates %+v, %v; want ada", user, err)
	}
	_, named, err := a.svc.LogInForAPIToken(t.Context(), service.LoginAttempt{Email: "ada@example.com", Password: "ada-password"}, "  build server ", 0)
	if err != nil || named.Name != "build server" {
		t.Fatalf("named token = %q, %v; want %q", named.Name, err, "build server")
	}
}

func TestAPITokenNameIsRequiredAndBounded(t *testing.T) {
	a := newAPITokenService(t)
	for name, message := range map[string]string{
		"   ":                    "Enter a name for the token",
		strings.Repeat("é", 101): "A token name has at most 100 characters",
	} {
		_, _, err := a.svc.CreateAPIToken(t.Context(), a.ada.ID, name)
		e, ok := service.AsError(err)
		if !ok || e.Kind != service.Invalid || e.Field != "name" || e.Message != message {
			t.Errorf("CreateAPIToken(%q) = %v, want invalid name: %s", name, err, message)
		}
	}
	a.create(t, a.ada.ID, strings.Repeat("é", 100))
	if list := a.tokens(t, a.ada.ID); len(list) != 1 {
		t.Fatalf("%d tokens stored, want only the valid one", len(list))
	}
}

func TestRevokeAPITokenOfSomeoneElseIsNotFound(t *testing.T) {
	a := newAPITokenService(t)
	bob, err := a.svc.Signup(t.Context(), service.SignupInput{Email: "bob@example.com", Username: "bob", Password: "bob-password"})
	if err != nil {
		t.Fatal(err)
	}
	token, stored := a.create(t, a.ada.ID, "laptop")
	if _, err := a.svc.RevokeAPIToken(t.Context(), bob.ID, stored.ID); err != service.ErrNotFound {
		t.Fatalf("bob revoking ada's token: got %v, want ErrNotFound", err)
	}
	if _, err := a.svc.UserByAPIToken(t.Context(), token); err != nil {
		t.Fatalf("ada's token stopped working: %v", err)
	}
}

func TestRevokeAPITokenInUseStopsThatTokenAlone(t *testing.T) {
	a := newAPITokenService(t)
	token, _ := a.create(t, a.ada.ID, "laptop")
	other, _ := a.create(t, a.ada.ID, "desktop")
	if err := a.svc.RevokeAPITokenInUse(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.UserByAPIToken(t.Context(), token); err != service.ErrInvalidAPIToken {
		t.Fatalf("revoked token: got %v, want ErrInvalidAPIToken", err)
	}
	if _, err := a.svc.UserByAPIToken(t.Context(), other); err != nil {
		t.Fatalf("the other token stopped working: %v", err)
	}
	for _, bad := range []string{token, "garbage"} {
		if err := a.svc.RevokeAPITokenInUse(t.Context(), bad); err != service.ErrInvalidAPIToken {
			t.Errorf("RevokeAPITokenInUse(%q) = %v, want ErrInvalidAPIToken", bad, err)
		}
	}
}

func TestAPITokenExpiryRefusesTheTokenFromThatSecondOn(t *testing.T) {
	a := newAPITokenService(t)
	created := a.now
	token, stored, err := a.svc.CreateExpiringAPIToken(t.Context(), a.ada.ID, "for a month", 30)
	if err != nil {
		t.Fatal(err)
	}
	if want := created.AddDate(0, 0, 30); !stored.ExpiresAt.Equal(want) {
		t.Fatalf("expires at %v, want %v", stored.ExpiresAt, want)
	}
	forever, _ := a.create(t, a.ada.ID, "forever")

	a.now = stored.ExpiresAt.Add(-time.Second)
	if _, err := a.svc.UserByAPIToken(t.Context(), token); err != nil {
		t.Fatalf("a second before its expiry: %v", err)
	}
	if list := a.tokens(t, a.ada.ID); list[1].Expired {
		t.Fatal("listed as expired a second before its expiry")
	}
	a.now = stored.ExpiresAt
	if _, err := a.svc.UserByAPIToken(t.Context(), token); err != service.ErrInvalidAPIToken {
		t.Fatalf("at its expiry: got %v, want ErrInvalidAPIToken", err)
	}
	list := a.tokens(t, a.ada.ID)
	if !list[1].Expired || list[0].Expired {
		t.Fatalf("expired flags %v (forever), %v (for a month); want false, true", list[0].Expired, list[1].Expired)
	}
	if !list[1].LastUsedAt.Equal(stored.ExpiresAt.Add(-time.Second)) {
		t.Fatalf("last use %v: a refused request was recorded as a use", list[1].LastUsedAt)
	}
	if _, err := a.svc.UserByAPIToken(t.Context(), forever); err != nil {
		t.Fatalf("a token without expiry stopped working: %v", err)
	}
}

func TestAPITokenExpiryIsZeroToAYearInWholeDays(t *testing.T) {
	a := newAPITokenService(t)
	const message = "A token expires after 1 to 365 days, or never (0)"
	for _, days := range []int{-1, 366} {
		_, _, err := a.svc.CreateExpiringAPIToken(t.Context(), a.ada.ID, "laptop", days)
		if e, ok := service.AsError(err); !ok || e.Kind != service.Invalid || e.Field != "expires_in_days" || e.Message != message {
			t.Errorf("CreateExpiringAPIToken(%d days) = %v, want invalid expires_in_days", days, err)
		}
		_, _, err = a.svc.LogInForAPIToken(t.Context(), service.LoginAttempt{Email: "ada@example.com", Password: "ada-password"}, "", days)
		if e, ok := service.AsError(err); !ok || e.Field != "expires_in_days" {
			t.Errorf("LogInForAPIToken(%d days) = %v, want invalid expires_in_days", days, err)
		}
	}
	if list := a.tokens(t, a.ada.ID); len(list) != 0 {
		t.Fatalf("refused lifetimes made tokens: %+v", list)
	}

	for raw, want := range map[string]int{"": 0, " 0 ": 0, "30": 30, "+90": 90, "365": 365} {
		if got, err := service.ParseAPITokenLifetime(raw); err != nil || got != want {
			t.Errorf("ParseAPITokenLifetime(%q) = %d, %v; want %d", raw, got, err, want)
		}
	}
	for _, raw := range []string{"-1", "366", "30.5", "1e2", "30 days", "never", "0x10", "99999999999999999999"} {
		if _, err := service.ParseAPITokenLifetime(raw); err == nil {
			t.Errorf("ParseAPITokenLifetime(%q) accepted", raw)
		}
	}
}
