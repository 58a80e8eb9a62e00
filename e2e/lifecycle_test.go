package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/emersion/go-smtp"
)

// Issue 4 in a browser: resend through the keyboard-operated menu, expiry with a short
// --invite-ttl, and the invitation e-mail's delivery state while the SMTP server refuses.

// latestTo waits until at least n messages went to address and returns the newest.
func (s *mailSink) latestTo(t *testing.T, address string, n int) receivedMail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s.mu.Lock()
		var mine []receivedMail
		for _, m := range s.messages {
			for _, to := range m.To {
				if strings.EqualFold(to, address) {
					mine = append(mine, m)
				}
			}
		}
		s.mu.Unlock()
		if len(mine) >= n {
			return mine[len(mine)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d e-mails to %s reached the SMTP sink within 15 s, want %d", len(mine), address, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reloadUntil reloads the page until the text of what sel finds satisfies ok, and
// returns that text.
func (u *user) reloadUntil(what string, sel chromedp.Search, ok func(string) bool) string {
	u.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		u.navigate("reload", http.StatusOK, chromedp.Reload())
		got := u.text(sel)
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			u.fail(what, fmt.Errorf("after 15 s the page still says %q", got))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// delivery is the XPath of the delivery state under email's address.
func delivery(email string) chromedp.Search {
	return chromedp.Search(`//tr[@data-email="` + email + `"]//*[@data-testid="delivery"]`)
}

func TestResendByKeyboardReplacesTheLink(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	oldLink := checkInvitation(t, s.app.Mail.waitFor(t, "user3@example.com"), s.app.URL, demoDB, "user1")

	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	menuButton := menuButtonFor("user3@example.com")
	if got := owner.menuItemNames(menuButton); fmt.Sprint(got) != "[Resend invitation Revoke access]" {
		t.Fatalf("the pending row's menu has %q", got)
	}
	// The owner may also hand the database to an accepted collaborator.
	if got := owner.menuItemNames(menuButtonFor("user2@example.com")); fmt.Sprint(got) != "[Revoke access Make owner]" {
		t.Errorf("an accepted row's menu has %q", got)
	}
	// The menu keeps the WAI-ARIA pattern with its new item: Enter and Space open it,
	// the arrows go round both items, Escape closes it and gives the focus back.
	owner.checkMenuKeyboard("user3@example.com")

	owner.do("focus the menu button", chromedp.Focus(chromedp.CSS(menuButton)))
	owner.do("press Enter on the menu button", press(kb.Enter))
	owner.arrowTo(menuButton, "Revoke access")
	owner.do("press ArrowDown in the menu", press(kb.ArrowDown))
	owner.expectFocus("Resend invitation")
	owner.screenshot("resend-menu")
	owner.navigate("press Enter on Resend invitation", http.StatusOK, press(kb.Enter))
	owner.expectFlash("user3@example.com has been sent a new invitation; the previous link no longer works")
	owner.expectRow("user3@example.com", "n/a", "pending", "collaborator")
	owner.screenshot("resent")

	newLink := checkInvitation(t, s.app.Mail.latestTo(t, "user3@example.com", 2), s.app.URL, demoDB, "user1")
	if newLink == oldLink {
		t.Fatal("the resend e-mailed the same link")
	}
	user3 := s.newUser("user3", true)
	user3.navigate("open the old link", http.StatusGone, chromedp.Navigate(oldLink))
	user3.expectText("This link was replaced: a newer invitation to " + demoDB + " was sent (resent) since.")
	if n := user3.count(`[data-testid=invitation] button`); n != 0 {
		t.Errorf("the old link offers %d buttons", n)
	}
	user3.screenshot("replaced-link")

	// The new link works; signing up from it keeps the invited address.
	user3.navigate("open the new link", http.StatusOK, chromedp.Navigate(newLink))
	user3.expectText("Join " + demoDB)
	user3.navigate("click Sign up", http.StatusOK, chromedp.Click(chromedp.Search(`//*[@data-testid="invitation"]//a[normalize-space()="Sign up"]`)))
	email := get(user3, "read the Email field", chromedp.Value(field("Email")))
	readonly := get(user3, "read the Email field", chromedp.Evaluate[bool](`document.getElementById("email").readOnly`))
	if email != "user3@example.com" || !readonly {
		t.Errorf("the sign-up form's Email holds %q (read-only: %v), want the invited address, locked", email, readonly)
	}
	user3.screenshot("signup-locked")
	user3.fill("Username", "user3")
	user3.fill("Password", "user3-password")
	user3.navigate("sign up", http.StatusOK, chromedp.Click(button("Sign up")))
	user3.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	user3.expectFlash("You now collaborate on " + demoDB)

	owner.openCollaborators(demoDB)
	owner.expectRow("user3@example.com", "user3", "accepted", "collaborator")
	activity := owner.text(`//*[@data-testid="activity"]`)
	if !strings.Contains(activity, "user3@example.com accepted the invitation") || !strings.Contains(activity, "user1 sent a new invitation to user3@example.com") {
		t.Errorf("the Activity under the table does not tell the resend and the acceptance:\n%s", activity)
	}
}

func TestExpiredInvitationInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true, "--invite-ttl", "2s")
	link := checkInvitation(t, s.app.Mail.waitFor(t, "user3@example.com"), s.app.URL, demoDB, "user1")

	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	status := chromedp.Search(`//tr[@data-email="user3@example.com"]/td[3]`)
	owner.reloadUntil("wait for user3's invitation to expire", status, func(s string) bool { return s == "expired" })
	owner.expectRow("user3@example.com", "n/a", "expired", "collaborator")
	owner.expectDimmed("user3@example.com", true)
	owner.screenshot("expired")

	user3 := s.newUser("user3", true)
	user3.navigate("open the expired link", http.StatusGone, chromedp.Navigate(link))
	user3.expectText("This invitation has expired. Ask user1, who invited you and owns " + demoDB + ", to resend it.")
	if n := user3.count(`[data-testid=invitation] button`); n != 0 {
		t.Errorf("the expired link offers %d buttons", n)
	}
	user3.screenshot("expired-link")

	// Without JavaScript, a collaborator resends it from the menu's <details> fallback.
	user2 := s.newUser("user2", false)
	user2.logIn("user2@example.com", demoPassword)
	user2.openCollaborators(demoDB)
	user2.do("open Actions for user3@example.com", chromedp.Click(chromedp.CSS(`summary[aria-label="Actions for user3@example.com"]`)))
	user2.navigate("click Resend invitation", http.StatusOK,
		chromedp.Click(chromedp.Search(`//tr[@data-email="user3@example.com"]//details//button[normalize-space()="Resend invitation"]`)))
	user2.expectFlash("user3@example.com has been sent a new invitation; the previous link no longer works")
	checkInvitation(t, s.app.Mail.latestTo(t, "user3@example.com", 2), s.app.URL, demoDB, "user2")
}

func TestDeliveryStateFollowsTheSMTPServer(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	s.app.Mail.waitFor(t, "user3@example.com")
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	owner.reloadUntil("wait for user3's invitation to be sent", delivery("user3@example.com"),
		func(s string) bool { return s == "Invitation e-mail sent" })

	s.app.Mail.refuse(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox temporarily unavailable"})
	owner.invite("late@example.com", demoDB)
	failing := owner.reloadUntil("wait for the refusal", delivery("late@example.com"),
		func(s string) bool { return strings.HasPrefix(s, "Invitation e-mail failing: ") })
	if !strings.Contains(failing, "451") || !strings.Contains(failing, "Mailbox temporarily unavailable") || strings.Contains(failing, "\n") {
		t.Errorf("the failing delivery says %q; want the SMTP answer's first line", failing)
	}
	owner.screenshot("delivery-failing")

	s.app.Mail.refuse(nil)
	owner.reloadUntil("wait for the retry", delivery("late@example.com"), func(s string) bool { return s == "Invitation e-mail sent" })
	s.app.Mail.waitFor(t, "late@example.com")
	owner.screenshot("delivery-sent")
}
