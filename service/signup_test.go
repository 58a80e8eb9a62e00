package service_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/store"
)

var signupLink = regexp.MustCompile(`http://dbcollab\.test/signup/confirm/([A-Za-z0-9_-]{43})`)

// requestSignup signs name@example.com up from client and returns the outcome.
func (lc *lifecycle) requestSignup(name, client string) (service.SignupOutcome, error) {
	return lc.svc.RequestSignup(lc.t.Context(), service.SignupRequest{
		SignupInput: service.SignupInput{Email: name + "@example.com", Username: name, Password: "password-" + name},
		ClientAddr:  client,
	})
}

// confirmationLink empties the outbox and returns the token of the last confirmation
// e-mailed to email.
func (lc *lifecycle) confirmationLink(email string) string {
	lc.t.Helper()
	token := ""
	for _, e := range lc.outbox() {
		if m := signupLink.FindStringSubmatch(e.Text); e.To == email && m != nil {
			token = m[1]
		}
	}
	if token == "" {
		lc.t.Fatalf("no confirmation e-mail to %s", email)
	}
	return token
}

func TestRequestSignupMakesAnUnconfirmedAccountThatCannotLogInOrAccept(t *testing.T) {
	lc := newLifecycle(t, 0)
	_, zoeLink := lc.invite(lc.owner, "zoe@example.com")
	out, err := lc.requestSignup("zoe", "client")
	if err != nil || out.Verified {
		t.Fatalf("RequestSignup = %+v, %v; want unconfirmed", out, err)
	}
	zoe, err := lc.svc.Store.UserByEmail(t.Context(), "zoe@example.com")
	if err != nil || !zoe.VerifiedAt.IsZero() {
		t.Fatalf("zoe's account %+v, %v", zoe, err)
	}
	_, err = lc.svc.Authenticate(t.Context(), "zoe@example.com", "password-zoe")
	lifecycleRefusal(t, err, service.Unauthorized, "Your e-mail address is not confirmed yet: follow the link we e-mailed to zoe@example.com, then log in.")
	_, err = lc.svc.AcceptInvitation(t.Context(), zoe.ID, zoeLink)
	lifecycleRefusal(t, err, service.Invalid, "Confirm your e-mail address before accepting an invitation: follow the link we e-mailed to you.")

	token := lc.confirmationLink("zoe@example.com")
	if _, err := lc.svc.SignupConfirmation(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.ConfirmSignup(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.ConfirmSignup(t.Context(), token); !errors.Is(err, service.ErrConfirmationInvalid) {
		t.Errorf("a second use of the link: %v", err)
	}
	if _, err := lc.svc.Authenticate(t.Context(), "zoe@example.com", "password-zoe"); err != nil {
		t.Errorf("log-in after confirming: %v", err)
	}
	if _, err := lc.svc.AcceptInvitation(t.Context(), zoe.ID, zoeLink); err != nil {
		t.Errorf("accepting after confirming: %v", err)
	}
}

func TestSignupConfirmationLinkExpiresAfterADay(t *testing.T) {
	lc := newLifecycle(t, 0)
	if _, err := lc.requestSignup("zoe", "client"); err != nil {
		t.Fatal(err)
	}
	token := lc.confirmationLink("zoe@example.com")
	lc.clock.Advance(service.ConfirmationTTL - time.Microsecond)
	if _, err := lc.svc.SignupConfirmation(t.Context(), token); err != nil {
		t.Fatalf("just before its expiry: %v", err)
	}
	lc.clock.Advance(time.Microsecond)
	if _, err := lc.svc.ConfirmSignup(t.Context(), token); !errors.Is(err, service.ErrConfirmationInvalid) {
		t.Errorf("at its expiry: %v", err)
	}
	for _, bad := range []string{"", "not-a-token", strings.Repeat("A", 43)} {
		if _, err := lc.svc.ConfirmSignup(t.Context(), bad); !errors.Is(err, service.ErrConfirmationInvalid) {
			t.Errorf("ConfirmSignup(%q): %v", bad, err)
		}
	}
}

func TestSignupWithAnExistingAddressChangesNothingAndTellsItsMailbox(t *testing.T) {
	lc := newLifecycle(t, 0)
	lc.outbox()
	before, _ := lc.svc.Store.UserByEmail(t.Context(), "bob@example.com")
	out, err := lc.svc.RequestSignup(t.Context(), service.SignupRequest{
		SignupInput: service.SignupInput{Email: "BOB@example.com", Username: "robert", Password: "another-password"}, ClientAddr: "client"})
	if err != nil || out.Verified {
		t.Fatalf("RequestSignup = %+v, %v; want the same answer as a new address", out, err)
	}
	after, _ := lc.svc.Store.UserByEmail(t.Context(), "bob@example.com")
	if after.PasswordHash != before.PasswordHash || after.Username != "bob" {
		t.Error("a sign-up with bob's address changed his account")
	}
	emails := lc.outbox()
	if len(emails) != 1 || emails[0].To != "bob@example.com" || emails[0].Subject != "You already have a dbcollab account" {
		t.Errorf("e-mails %+v", emails)
	}
}

func TestSignupThrottlePerEmailAddress(t *testing.T) {
	lc := newLifecycle(t, 0)
	// Every attempt counts, from any client: the 5th is the last without a wait.
	for i := range service.AccountFreeFailures + 1 {
		if _, err := lc.requestSignup("zoe", "client-"+string(rune('a'+i))); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	before := lc.outbox()
	_, err := lc.requestSignup("zoe", "client-z")
	var throttled *service.SignupThrottledError
	if !errors.As(err, &throttled) || throttled.Seconds() != 1 {
		t.Fatalf("the next attempt: %v", err)
	}
	lifecycleRefusal(t, err, service.TooMany, "Too many sign-up attempts; try again in 1 second")
	if len(lc.outbox()) != 0 || len(before) != service.AccountFreeFailures+1 {
		t.Error("a throttled sign-up e-mailed the address")
	}
	lc.clock.Advance(time.Second)
	if _, err := lc.requestSignup("zoe", "client-z"); err != nil {
		t.Errorf("after the wait: %v", err)
	}
	// Invalid forms cost nothing and are not counted.
	_, err = lc.svc.RequestSignup(t.Context(), service.SignupRequest{SignupInput: service.SignupInput{Email: "x"}, ClientAddr: "client-z"})
	if _, ok := err.(service.FieldErrors); !ok {
		t.Errorf("an invalid form: %v", err)
	}
}

func TestSignupUsernameTakenIsSuffixedUnlessTheAddressIsProven(t *testing.T) {
	lc := newLifecycle(t, 0)
	for _, c := range []struct{ want, email string }{{"bob-2", "robert@example.com"}, {"bob-3", "bobby@example.com"}} {
		want, email := c.want, c.email
		_, err := lc.svc.RequestSignup(t.Context(), service.SignupRequest{
			SignupInput: service.SignupInput{Email: email, Username: "BOB", Password: "password-bob"}, ClientAddr: email})
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := lc.svc.Store.UserByEmail(t.Context(), email); !strings.EqualFold(u.Username, want) {
			t.Errorf("%s got username %q, want %s", email, u.Username, want)
		}
	}
	long := strings.Repeat("b", 32)
	lc.signupAs(long)
	if _, err := lc.svc.RequestSignup(t.Context(), service.SignupRequest{
		SignupInput: service.SignupInput{Email: "long@example.com", Username: long, Password: "password-long"}, ClientAddr: "x"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := lc.svc.Store.UserByEmail(t.Context(), "long@example.com"); u.Username != long[:30]+"-2" {
		t.Errorf("a taken 32-character username became %q", u.Username)
	}

	// From an open invitation to the address, the account is confirmed at once and the
	// username clash is said.
	_, link := lc.invite(lc.owner, "yan@example.com")
	req := service.SignupRequest{SignupInput: service.SignupInput{Email: "yan@example.com", Username: "bob", Password: "password-yan"},
		ClientAddr: "y", InvitationToken: link}
	_, err := lc.svc.RequestSignup(t.Context(), req)
	if got := service.ByField(err)["username"]; got != "This username is taken" {
		t.Errorf("username clash from an invitation: %v", err)
	}
	req.Username = "yan"
	out, err := lc.svc.RequestSignup(t.Context(), req)
	if err != nil || !out.Verified || out.User.VerifiedAt.IsZero() {
		t.Fatalf("from an invitation: %+v, %v", out, err)
	}
	// Another address's invitation proves nothing.
	req.Email, req.Username = "xia@example.com", "xia"
	if out, err := lc.svc.RequestSignup(t.Context(), req); err != nil || out.Verified {
		t.Errorf("with another address's invitation: %+v, %v", out, err)
	}
}

// signupAs makes an account whose username is name.
func (lc *lifecycle) signupAs(name string) store.User {
	lc.t.Helper()
	u, err := lc.svc.Signup(lc.t.Context(), service.SignupInput{Email: "x" + name[:5] + "@example.com", Username: name, Password: "password-" + name})
	if err != nil {
		lc.t.Fatal(err)
	}
	return u
}
