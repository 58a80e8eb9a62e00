package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCollaboratorsWithoutJavaScript is issue 2's step 8: with JavaScript off, inviting,
// accepting, revoking and leaving all work, through the <details> menu and the
// confirmation page that stand for the menu button and the <dialog>.
func TestCollaboratorsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)

	owner := s.newUser("user1", false)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	if n := owner.count(`html.js`); n != 0 {
		t.Fatalf("the script ran: JavaScript is not off")
	}
	owner.invite("grace@example.com", demoDB)
	owner.expectTable("user1@example.com", "user2@example.com", "user3@example.com", "grace@example.com")
	owner.screenshot("invited")
	graceLink := checkInvitation(t, s.app.Mail.waitFor(t, "grace@example.com"), s.app.URL, demoDB, "user1")

	grace := s.newUser("grace", false)
	grace.navigate("open the invitation link", http.StatusOK, chromedp.Navigate(graceLink))
	grace.expectText("Join "+demoDB, "user1 invites you to collaborate")
	grace.navigate("click Sign up", http.StatusOK, chromedp.Click(chromedp.Search(`//*[@data-testid="invitation"]//a[normalize-space()="Sign up"]`)))
	grace.signUp("grace@example.com", "grace", "grace-password", "Join "+demoDB)
	grace.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	grace.expectFlash("You now collaborate on " + demoDB)
	grace.expectDatabases(demoDB)

	owner.openCollaborators(demoDB)
	owner.expectRow("grace@example.com", "grace", "accepted", "collaborator")
	owner.expectDimmed("grace@example.com", false)
	owner.revokeWithoutScript("grace@example.com", demoDB)
	owner.expectFlash("grace@example.com has been removed from the collaborators of " + demoDB)
	owner.expectNoRow("grace@example.com")
	grace.open("/databases/"+demoDB, http.StatusNotFound)

	user2 := s.newUser("user2", false)
	user2.logIn("user2@example.com", demoPassword)
	user2.revokeWithoutScript("user2@example.com", demoDB)
	user2.expectFlash("You no longer collaborate on " + demoDB)
	user2.expectText("You have no database yet")
	user2.screenshot("left")
}

// revokeWithoutScript opens the row's <details> menu, follows "Revoke access" to the
// confirmation page and presses its button.
func (u *user) revokeWithoutScript(email, db string) {
	u.t.Helper()
	u.openCollaborators(db)
	if n := u.count(`button[aria-haspopup=menu][aria-label="Actions for ` + email + `"]`); n != 1 {
		u.t.Fatalf("want the hidden menu button in the row of %s, found %d", email, n)
	}
	u.do("open Actions for "+email, chromedp.Click(chromedp.CSS(`summary[aria-label="Actions for `+email+`"]`)))
	u.screenshot("actions-open")
	u.navigate("click Revoke access", http.StatusOK,
		chromedp.Click(chromedp.Search(`//tr[@data-email="`+email+`"]//details//a[normalize-space()="Revoke access"]`)))
	u.expectText("Revoke access?")
	u.screenshot("revoke-confirmation")
	u.navigate("click Revoke access to "+email, http.StatusOK, chromedp.Click(button("Revoke access to "+email)))
}
