package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dbcollab/links"
)

// Issue 4 in a browser, continued: a link opened by the wrong account, the notices the
// outbox sends (and does not send), and the invitation limit.

// invitationButtons are the texts of the buttons on an invitation's page.
func (u *user) invitationButtons() []string {
	u.t.Helper()
	return get(u, "read the invitation's buttons", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=invitation] button")).map((b) => b.textContent.trim())`))
}

// expectMailCount checks how many e-mails went to address so far. The outbox sends
// one e-mail at a time, oldest first: once a later e-mail arrived, an earlier one
// that was never queued cannot still be on its way.
func (s *mailSink) expectMailCount(t *testing.T, address string, want int) {
	t.Helper()
	if got := s.count(address); got != want {
		t.Errorf("%d e-mails went to %s, want %d", got, address, want)
	}
}

// expectNotice checks a notification e-mail's subject and that both its parts say sentence.
func expectNotice(t *testing.T, m receivedMail, subject, sentence string) {
	t.Helper()
	if m.Subject != subject {
		t.Errorf("notice subject %q, want %q", m.Subject, subject)
	}
	for _, part := range []string{"text/plain", "text/html"} {
		if !strings.Contains(m.Parts[part], sentence) {
			t.Errorf("notice %q: the %s part does not say %q:\n%s", m.Subject, part, sentence, m.Parts[part])
		}
	}
}

func TestInvitationOpenedByAnotherAccount(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	owner.invite("user4@example.com", demoDB)
	link := checkInvitation(t, s.app.Mail.waitFor(t, "user4@example.com"), s.app.URL, demoDB, "user1")

	// user4's link, opened where user2 is signed in: no way to accept it as user2.
	user4 := s.newUser("user4", true)
	user4.logIn("user2@example.com", demoPassword)
	user4.navigate("open the invitation link", http.StatusOK, chromedp.Navigate(link))
	user4.expectText("Join " + demoDB)
	const wrongAccount = "This invitation was sent to u…@example.com; you are signed in as u…@example.com."
	if got := user4.text(`//*[@data-testid="wrong-account"]`); got != wrongAccount {
		t.Errorf("the invitation says %q, want %q", got, wrongAccount)
	}
	if got := user4.invitationButtons(); fmt.Sprint(got) != "[Log out and switch account]" {
		t.Errorf("the invitation offers the buttons %q, want only Log out and switch account", got)
	}
	user4.screenshot("wrong-account")

	// Switching account leads to the log-in form, and from it back to the invitation.
	user4.navigate("click Log out and switch account", http.StatusOK, chromedp.Click(button("Log out and switch account")))
	if got := user4.text("//h1"); got != "Log in" {
		t.Fatalf("after Log out and switch account the page is %q, want the log-in form", got)
	}
	user4.fill("Email", "user4@example.com")
	user4.fill("Password", demoPassword)
	user4.navigate("log in", http.StatusOK, chromedp.Click(button("Log in")))
	user4.expectText("Join "+demoDB, "user1 invites you to collaborate on the dedicated PostgreSQL database "+demoDB)
	if got := user4.invitationButtons(); fmt.Sprint(got) != "[Accept]" {
		t.Errorf("signed in as the invited address, the invitation offers %q", got)
	}
	user4.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	user4.expectFlash("You now collaborate on " + demoDB)
}

func TestNoticesReachTheSMTPServer(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	mail := s.app.Mail
	collaborators := s.app.URL + links.Collaborators(demoDB)

	// A collaborator invites user4; user4 accepts: the inviter and the owner are told.
	user2 := s.newUser("user2", true)
	user2.logIn("user2@example.com", demoPassword)
	user2.openCollaborators(demoDB)
	user2.invite("user4@example.com", demoDB)
	link := checkInvitation(t, mail.waitFor(t, "user4@example.com"), s.app.URL, demoDB, "user2")
	user4 := s.newUser("user4", true)
	user4.logIn("user4@example.com", demoPassword)
	user4.navigate("open the invitation link", http.StatusOK, chromedp.Navigate(link))
	user4.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	user4.expectFlash("You now collaborate on " + demoDB)
	for _, to := range []string{"user1@example.com", "user2@example.com"} {
		m := mail.latestTo(t, to, 1)
		expectNotice(t, m, "user4 (user4@example.com) now collaborates on "+demoDB,
			"user4 (user4@example.com) accepted the invitation and now collaborates on "+demoDB+".")
		if !strings.Contains(m.Parts["text/plain"], collaborators) {
			t.Errorf("the acceptance notice to %s does not link to %s:\n%s", to, collaborators, m.Parts["text/plain"])
		}
	}
	mail.expectMailCount(t, "user4@example.com", 1) // the invitation, nothing about accepting it

	// user4 leaves through their own row: the owner is told, not user4.
	user4.openCollaborators(demoDB)
	user4.revokeByMouse("user4@example.com", "", demoDB)
	user4.expectFlash("You no longer collaborate on " + demoDB)
	expectNotice(t, mail.latestTo(t, "user1@example.com", 2),
		"user4 (user4@example.com) stopped collaborating on "+demoDB,
		"user4 (user4@example.com) stopped collaborating on "+demoDB+" and no longer has access to it.")
	mail.expectMailCount(t, "user4@example.com", 1)

	// The owner revokes user2: user2 is told who did it, the owner is not.
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	owner.revokeByMouse("user2@example.com", "user2@example.com", demoDB)
	expectNotice(t, mail.latestTo(t, "user2@example.com", 2), "Your access to "+demoDB+" was revoked",
		"user1 revoked your access to "+demoDB+"; you no longer collaborate on it.")

	// The revocation's notice was queued last: nothing queued before it is still on its way.
	mail.expectMailCount(t, "user1@example.com", 2)
	mail.expectMailCount(t, "user2@example.com", 2)
	mail.expectMailCount(t, "user4@example.com", 1)
}

func TestInvitationLimitInTheBrowser(t *testing.T) {
	t.Parallel()
	// The demo's two invitations (user2's and user3's) count: one more reaches the limit.
	s := newStage(t, true, "--invite-limit", "3")
	mail := s.app.Mail
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	owner.invite("third@example.com", demoDB)
	mail.waitFor(t, "third@example.com")

	owner.openAddForm()
	owner.fill("Email", "fourth@example.com")
	owner.navigate("invite past the limit", http.StatusTooManyRequests, chromedp.Click(button("Confirm")))
	const limit = "This database has reached its limit of 3 invitations in 24 hours; try again later"
	if got := owner.text(`//*[@data-testid="email-error"]`); got != limit {
		t.Errorf("next to the Email field: %q, want %q", got, limit)
	}
	if v := get(owner, "read the Email field", chromedp.Value(field("Email"))); v != "fourth@example.com" {
		t.Errorf("after the refusal the Email field holds %q, want what was typed", v)
	}
	owner.screenshot("invite-limit")
	owner.expectNoRow("fourth@example.com")
	owner.openCollaborators(demoDB)
	owner.expectNoRow("fourth@example.com")

	// Cancelling user3's invitation queues an e-mail after any the refusal could have queued.
	owner.revokeByMouse("user3@example.com", "user3@example.com", demoDB)
	expectNotice(t, mail.latestTo(t, "user3@example.com", 2), "Your invitation to "+demoDB+" was cancelled",
		"user1 cancelled your invitation to collaborate on "+demoDB+"; its link no longer works.")
	mail.expectMailCount(t, "fourth@example.com", 0)
}
