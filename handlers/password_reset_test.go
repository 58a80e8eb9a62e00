package handlers_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dbcollab/handlers"
	"dbcollab/internal/teststore"
	"dbcollab/service"
)

func TestLoginPageLinksToTheForgotPasswordForm(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	link := a.get("/login").expectStatus(http.StatusOK).link("Forgot your password?")
	if href, _ := link.Attr("href"); href != "/password/forgot" {
		t.Fatalf("the log-in page's \"Forgot your password?\" leads to %q", href)
	}
	page := a.get("/password/forgot").expectStatus(http.StatusOK)
	page.expectField("Email", "")
	page.expectButton("Send the link")
}

// TestForgotPasswordAnswersAlike: an address with an account and one without get the
// same page; only the account's mailbox gets a link.
func TestForgotPasswordAnswersAlike(t *testing.T) {
	h := newHarness(t)
	h.takeEmails()
	a := h.anonymous()
	answer := func(email string) string {
		r := a.submit("/password/forgot", "/password/forgot", url.Values{"email": {email}}).expectStatus(http.StatusOK)
		if got := r.text("[data-testid=reset-answer]"); got != "If an account uses this address, we sent a link" {
			t.Fatalf("answer %q", got)
		}
		return r.text("main")
	}
	if known, unknown := answer(h.owner.Email), answer("nobody@example.com"); known != unknown {
		t.Errorf("the answers differ:\n%s\n%s", known, unknown)
	}
	sent := h.takeEmails()
	if len(sent) != 1 || sent[0].To != h.owner.Email || !resetLink.MatchString(sent[0].Text) {
		t.Fatalf("e-mails %+v, want one reset link to %s", sent, h.owner.Email)
	}
	r := a.submit("/password/forgot", "/password/forgot", url.Values{"email": {"not an address"}}).expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError("Email", "email", "Enter a valid e-mail address, like name@example.com")
	r.expectField("Email", "not an address")
}

// TestPasswordResetSetsThePasswordOnceAndEndsEveryOtherSession follows the whole flow:
// opening the link changes nothing and shows no token; "Set password" sets it, signs
// the browser in, ends the account's other sessions (a copied cookie included) and
// leaves its API tokens alone; the link then no longer works.
func TestPasswordResetSetsThePasswordOnceAndEndsEveryOtherSession(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, func(s *handlers.Server) { s.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	db := teststore.SQL(t, h.dsn)
	elsewhere := h.signedIn(h.owner)
	copied := h.anonymous()
	copied.client.Jar.SetCookies(mustParse(t, h.url), elsewhere.client.Jar.Cookies(mustParse(t, h.url)))
	apiToken, _, err := h.svc.CreateAPIToken(t.Context(), h.owner.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}

	b := h.anonymous()
	b.submit("/password/forgot", "/password/forgot", url.Values{"email": {h.owner.Email}}).expectStatus(http.StatusOK)
	token := h.linkTokenTo(h.owner.Email, resetLink)
	before := snapshot(t, db)
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(raw); !strings.Contains(before, hex.EncodeToString(sum[:])) {
		t.Fatal("the reset link's hash is not stored")
	}
	if strings.Contains(before, token) {
		t.Fatal("the reset link is stored in clear (or left in the outbox after delivery)")
	}

	b.get("/password/reset/" + token).expectRedirect("/password/reset")
	page := b.get("/password/reset").expectStatus(http.StatusOK)
	page.expectField("New password", "")
	page.expectButton("Set password")
	if strings.Contains(page.body, token) {
		t.Error("the page shows the token")
	}
	if page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q", page.header.Get("Referrer-Policy"))
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("opening the link changed the store:\n%s", lineDiff(before, after))
	}

	short := b.submit("/password/reset", "/password/reset", url.Values{"password": {"short"}}).expectStatus(http.StatusUnprocessableEntity)
	short.expectFieldError("New password", "password", "A password has at least 8 characters")
	b.submit("/password/reset", "/password/reset", url.Values{"password": {"a-brand-new-password"}}).expectRedirect("/")
	if got := b.get("/").expectStatus(http.StatusOK).text("[data-testid=signed-in-as]"); got != h.owner.Username {
		t.Fatalf("after setting the password, signed in as %q", got)
	}
	for name, a := range map[string]*actor{"the other browser": elsewhere, "a copy of its cookie": copied} {
		if r := a.get("/account"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Errorf("%s after the reset: %d to %q, want 303 to /login", name, r.status, r.header.Get("Location"))
		}
	}
	if _, err := h.svc.UserByAPIToken(t.Context(), apiToken); err != nil {
		t.Errorf("the API token was revoked too: %v", err)
	}
	h.anonymous().login(h.owner.Email, password).expectStatus(http.StatusUnauthorized)
	h.anonymous().login(h.owner.Email, "a-brand-new-password").expectRedirect("/")

	again := h.anonymous()
	again.get("/password/reset/" + token).expectRedirect("/password/reset")
	used := again.get("/password/reset").expectStatus(http.StatusNotFound)
	if got := used.text("[data-testid=reset-state]"); got != service.ErrPasswordResetInvalid.Message {
		t.Errorf("a used link says %q", got)
	}
	if used.button("Set password").Length() != 0 {
		t.Error("a used link still offers Set password")
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token is in the server's log")
	}
}

func TestPasswordResetLinkExpiresAfterAnHour(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	token := h.resetToken(h.owner)
	clock.Advance(time.Hour - time.Second)
	a := h.anonymous()
	a.get("/password/reset/" + token).expectRedirect("/password/reset")
	a.get("/password/reset").expectStatus(http.StatusOK)
	clock.Advance(time.Second)
	a.get("/password/reset").expectStatus(http.StatusNotFound)
	a.postWithToken("/password/reset", url.Values{"password": {"a-brand-new-password"}}, a.token()).expectStatus(http.StatusNotFound)
	h.anonymous().login(h.owner.Email, password).expectRedirect("/")
}

func TestForgotPasswordIsThrottledPerAddress(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	var r *response
	for range 6 {
		if r = a.submit("/password/forgot", "/password/forgot", url.Values{"email": {h.owner.Email}}); r.status != http.StatusOK {
			break
		}
	}
	r.expectStatus(http.StatusTooManyRequests)
	if got := r.text("[data-testid=form-error]"); got != "Too many password reset requests; try again in 1 second" {
		t.Errorf("throttled: %q", got)
	}
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	r.expectField("Email", h.owner.Email)
}
