package service_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

var accountLink = regexp.MustCompile(`http://example\.test/(?:password/reset|account/email/confirm)/([A-Za-z0-9_-]{43})\b`)

// accountLinkTo returns the token of the last account link (reset or e-mail change)
// the outbox holds for to, emptying it.
func accountLinkTo(tb testing.TB, st *store.Store, to string) string {
	tb.Helper()
	ctx := context.Background()
	var token string
	for {
		e, err := st.NextDueEmail(ctx)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := st.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, e.ID, e.CreatedAt) }); err != nil {
			tb.Fatal(err)
		}
		if m := accountLink.FindStringSubmatch(e.Text); m != nil && e.To == to {
			token = m[1]
		}
	}
	if token == "" {
		tb.Fatalf("no account link e-mailed to %s", to)
	}
	return token
}

func TestPasswordResetLinkIsSingleUseExpiresAndIsHashedAtRest(t *testing.T) {
	svc, st, dsn, _ := newService(t)
	clock := servicetest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	svc.Now = clock.Now
	u := signup(t, svc, "olivia")
	ctx := t.Context()
	if err := svc.RequestPasswordReset(ctx, u.Email, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	token := accountLinkTo(t, st, u.Email)
	expectNowhereStored(t, dsn, token)
	if _, err := svc.PasswordReset(ctx, token); err != nil {
		t.Fatalf("a fresh link: %v", err)
	}
	if _, _, err := svc.ResetPassword(ctx, token, "a-brand-new-password", "", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ResetPassword(ctx, token, "yet-another-password", "", "192.0.2.1"); !errors.Is(err, service.ErrPasswordResetInvalid) {
		t.Fatalf("the link used twice: %v, want ErrPasswordResetInvalid", err)
	}
	if _, err := svc.Authenticate(ctx, u.Email, "a-brand-new-password"); err != nil {
		t.Fatalf("the password set once: %v", err)
	}

	if err := svc.RequestPasswordReset(ctx, u.Email, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	old := accountLinkTo(t, st, u.Email)
	if err := svc.RequestPasswordReset(ctx, u.Email, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	newer := accountLinkTo(t, st, u.Email)
	if _, err := svc.PasswordReset(ctx, old); !errors.Is(err, service.ErrPasswordResetInvalid) {
		t.Errorf("a link replaced by a newer one: %v", err)
	}
	clock.Advance(service.PasswordResetTTL - time.Second)
	if _, err := svc.PasswordReset(ctx, newer); err != nil {
		t.Errorf("a second short of an hour: %v", err)
	}
	clock.Advance(time.Second)
	if _, _, err := svc.ResetPassword(ctx, newer, "too-late-password", "", "192.0.2.1"); !errors.Is(err, service.ErrPasswordResetInvalid) {
		t.Errorf("an hour on: %v, want ErrPasswordResetInvalid", err)
	}
}

func TestPasswordResetGoesOnlyToConfirmedAccounts(t *testing.T) {
	svc, st, _, queued := newService(t)
	ctx := t.Context()
	if _, err := svc.RequestSignup(ctx, service.SignupRequest{SignupInput: service.SignupInput{Email: "una@example.com", Username: "una", Password: "password-una"}, ClientAddr: "192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	drainOutbox(t, st)
	queued.Store(0)
	for _, email := range []string{"una@example.com", "nobody@example.com"} {
		if err := svc.RequestPasswordReset(ctx, email, "192.0.2.1"); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
	}
	if sent := drainOutbox(t, st); len(sent) != 0 || queued.Load() != 0 {
		t.Errorf("e-mails %v for an unconfirmed and an unknown address, want none", recipients(sent))
	}
}

// FuzzAccountLinkTokens: a password reset link, an e-mail change link and a session
// cookie's ID are each accepted only when they are, byte for byte, the one issued.
func FuzzAccountLinkTokens(f *testing.F) {
	ctx := context.Background()
	st, _ := teststore.Open(f)
	svc := &service.Service{Store: st, BaseURL: "http://example.test", PasswordCost: bcrypt.MinCost}
	u, err := svc.Signup(ctx, service.SignupInput{Email: "olivia@example.com", Username: "olivia", Password: "password-olivia"})
	if err != nil {
		f.Fatal(err)
	}
	if err := svc.RequestPasswordReset(ctx, u.Email, "192.0.2.1"); err != nil {
		f.Fatal(err)
	}
	reset := accountLinkTo(f, st, u.Email)
	if _, err := svc.RequestEmailChange(ctx, u.ID, "olivia.new@example.com", "password-olivia"); err != nil {
		f.Fatal(err)
	}
	change := accountLinkTo(f, st, "olivia.new@example.com")
	session, err := svc.StartSession(ctx, u.ID, "", "192.0.2.1")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{reset, change, session, reset + "=", reset[:42], " " + session, "s_" + reset, change[:42] + "\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if _, err := svc.PasswordReset(ctx, token); (err == nil) != (token == reset) || (err != nil && !errors.Is(err, service.ErrPasswordResetInvalid)) {
			t.Fatalf("PasswordReset(%q): %v", token, err)
		}
		if _, _, err := svc.EmailChange(ctx, token); (err == nil) != (token == change) || (err != nil && !errors.Is(err, service.ErrEmailChangeInvalid)) {
			t.Fatalf("EmailChange(%q): %v", token, err)
		}
		if _, err := svc.SessionUser(ctx, token); (err == nil) != (token == session) || (err != nil && !errors.Is(err, service.ErrSessionEnded)) {
			t.Fatalf("SessionUser(%q): %v", token, err)
		}
	})
}
