package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 11 points 1-3 in a browser, with the e-mails at the SMTP sink.

var (
	resetLink       = regexp.MustCompile(`http://\S+/password/reset/([A-Za-z0-9_-]{43})`)
	emailChangeLink = regexp.MustCompile(`http://\S+/account/email/confirm/([A-Za-z0-9_-]{43})`)
)

// mailedLink is the link (and its token) link finds in the last e-mail to address.
func (u *user) mailedLink(address string, n int, link *regexp.Regexp) (string, string) {
	u.t.Helper()
	text := u.stage.app.Mail.latestTo(u.t, address, n).Parts["text/plain"]
	m := link.FindStringSubmatch(text)
	if m == nil {
		u.fail("find the link", fmt.Errorf("none like %s in the e-mail to %s:\n%s", link, address, text))
	}
	return strings.TrimPrefix(m[0], u.stage.app.URL), m[1]
}

// expectLoggedOut checks that this browser's session signs nobody in any more.
func (u *user) expectLoggedOut() {
	u.t.Helper()
	u.open("/account", http.StatusOK)
	if got := u.text(`//h1`); got != "Log in" {
		u.fail("open the account page", fmt.Errorf("heading %q, want the log-in page", got))
	}
}

func TestForgotPasswordInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	elsewhere := s.newUser("user1-laptop", true)
	elsewhere.logIn("user1@example.com", demoPassword)

	u := s.newUser("user1", true)
	u.open("/login", http.StatusOK)
	u.navigate("click Forgot your password?", http.StatusOK, chromedp.Click(link("Forgot your password?")))
	u.fill("Email", "user1@example.com")
	u.navigate("click Send the link", http.StatusOK, chromedp.Click(button("Send the link")))
	u.expectText("If an account uses this address, we sent a link")

	path, token := u.mailedLink("user1@example.com", 1, resetLink)
	u.open(path, http.StatusOK)
	if location := get(u, "read the address bar", chromedp.Location()); strings.Contains(location, token) {
		t.Errorf("the address bar keeps the token: %s", location)
	}
	if html := get(u, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(html, token) {
		t.Error("the page holds the token")
	}
	u.fill("New password", "a-brand-new-password")
	u.navigate("click Set password", http.StatusOK, chromedp.Click(button("Set password")))
	u.expectFlash("Your password has been set; every other device was logged out.")
	u.expectText("Your databases")
	elsewhere.expectLoggedOut()

	u.open(path, http.StatusNotFound)
	u.expectText("This password reset link cannot be used")
	if strings.Contains(s.app.Output(), token) {
		t.Error("the token is in the server's log")
	}
	other := s.newUser("user1-again", true)
	other.logIn("user1@example.com", "a-brand-new-password")
}

func TestSignedInDevicesInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	laptop := s.newUser("user2-laptop", true)
	laptop.logIn("user2@example.com", demoPassword)
	phone := s.newUser("user2-phone", true)
	phone.logIn("user2@example.com", demoPassword)
	u := s.newUser("user2", true)
	u.logIn("user2@example.com", demoPassword)

	u.navigate("open Account", http.StatusOK, chromedp.Click(link("Account")))
	u.expectText("Signed-in devices", "(this device)")
	if n := u.count(`[data-testid=session-row]`); n != 3 {
		t.Fatalf("%d devices listed, want 3", n)
	}
	u.navigate("click Log out on another device's row", http.StatusOK,
		chromedp.Click(chromedp.CSS(`[data-testid=session-row]:not([data-current]) button`)))
	u.expectFlash("That device has been logged out.")
	if n := u.count(`[data-testid=session-row]`); n != 2 {
		t.Fatalf("%d devices listed after logging one out, want 2", n)
	}
	u.navigate("click Log out everywhere else", http.StatusOK, chromedp.Click(button("Log out everywhere else")))
	u.expectFlash("Every other device has been logged out (1).")
	laptop.expectLoggedOut()
	phone.expectLoggedOut()
	u.open("/account", http.StatusOK)
	u.expectText("Signed-in devices")
}

func TestChangePasswordAndEmailInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	elsewhere := s.newUser("user4-laptop", true)
	elsewhere.logIn("user4@example.com", demoPassword)
	u := s.newUser("user4", true)
	u.logIn("user4@example.com", demoPassword)
	u.open("/account", http.StatusOK)

	u.fill("Current password", "wrong-password")
	u.fill("New password", "a-brand-new-password")
	u.navigate("click Change password", http.StatusUnprocessableEntity, chromedp.Click(button("Change password")))
	u.expectText("This is not your current password")
	u.fill("Current password", demoPassword)
	u.fill("New password", "a-brand-new-password")
	u.navigate("click Change password", http.StatusOK, chromedp.Click(button("Change password")))
	u.expectFlash("Your password has been changed; every other device was logged out (1).")
	elsewhere.expectLoggedOut()

	u.fill("New e-mail address", "user4.new@example.com")
	u.fill("Your password", "a-brand-new-password")
	u.navigate("click Send confirmation link", http.StatusOK, chromedp.Click(button("Send confirmation link")))
	u.expectFlash("We sent a confirmation link to user4.new@example.com; until it is followed, your address stays user4@example.com.")
	expectNotice(t, s.app.Mail.latestTo(t, "user4@example.com", 1), "Your dbcollab e-mail address is about to change",
		"asked to use user4.new@example.com instead of this address")

	path, _ := u.mailedLink("user4.new@example.com", 1, emailChangeLink)
	u.open(path, http.StatusOK)
	u.expectText("will use user4.new@example.com instead of user4@example.com")
	u.navigate("click Confirm new address", http.StatusOK, chromedp.Click(button("Confirm new address")))
	u.expectFlash("Your e-mail address is now user4.new@example.com.")
	expectNotice(t, s.app.Mail.latestTo(t, "user4@example.com", 2), "Your dbcollab e-mail address has changed",
		"now uses user4.new@example.com instead of this address")
	u.expectText("Signed in as user4 (user4.new@example.com)")
	again := s.newUser("user4-again", true)
	again.logIn("user4.new@example.com", "a-brand-new-password")
}
