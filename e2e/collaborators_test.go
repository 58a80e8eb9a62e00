package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	demoDB       = "my-dedicated-db"
	demoPassword = "demo-password"
)

// TestCollaboratorsWithJavaScript walks issue 2's steps 1–7 in a browser with
// JavaScript on, as the demo accounts and two newcomers.
func TestCollaboratorsWithJavaScript(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)

	// Step 3: the demo database's collaborators, as its owner sees them, once the demo
	// invitations left (so that the README's picture says they were sent).
	user3Link := checkInvitation(t, s.app.Mail.waitFor(t, "user3@example.com"), s.app.URL, demoDB, "user1")
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	owner.expectTable("user1@example.com", "user2@example.com", "user3@example.com")
	owner.expectRow("user1@example.com", "user1", "owner", "owner")
	owner.expectRow("user2@example.com", "user2", "accepted", "collaborator")
	owner.expectRow("user3@example.com", "n/a", "pending", "collaborator")
	owner.expectDimmed("user1@example.com", false)
	owner.expectDimmed("user2@example.com", false)
	owner.expectDimmed("user3@example.com", true)
	if n := owner.count(row("user1@example.com") + ` [aria-haspopup=menu]`); n != 0 {
		t.Errorf("the owner's row has an actions menu")
	}
	owner.screenshot("collaborators")
	owner.saveDocScreenshot("collaborators.png")

	// Step 1: a newcomer signs up, confirms the address from the e-mail, logs in, logs
	// out with the POST button, logs in again.
	dana := s.newUser("dana", true)
	dana.open("/signup", http.StatusOK)
	dana.signUp("dana@example.com", "dana", "dana-password", "Check your mailbox")
	dana.confirmSignUp("dana@example.com")
	dana.logIn("dana@example.com", "dana-password")
	dana.navigate("log out", http.StatusOK, chromedp.Click(chromedp.Search(`//form[@method="post"][@action="/logout"]//button[normalize-space()="Log out"]`)))
	if got := dana.text("//h1"); got != "Log in" {
		t.Errorf("after logging out dana sees %q, want the log-in page", got)
	}
	dana.logIn("dana@example.com", "dana-password")
	dana.expectText("You have no database yet")

	// Step 2: a new database; a bad name is refused and the form keeps what was typed.
	dana.navigate("click New database", http.StatusOK, chromedp.Click(link("New database")))
	dana.fill("Name", "9-Lives")
	dana.navigate("create a badly named database", http.StatusUnprocessableEntity, chromedp.Click(button("Create database")))
	if msg := dana.text(`//*[@data-testid="name-error"]`); msg == "" {
		t.Errorf("no error next to the name")
	}
	if v := get(dana, "read the name", chromedp.Value(field("Name"))); v != "9-Lives" {
		t.Errorf("after the error the name field holds %q, want what was typed", v)
	}
	dana.screenshot("new-database-error")
	dana.fill("Name", "dana-db")
	dana.do("choose a plan", chromedp.SetValue(field("Plan"), "postgresql-dr-business-8192"))
	dana.navigate("create the database", http.StatusOK, chromedp.Click(button("Create database")))
	dana.expectText("dana-db", "Overview", "Settings")
	dana.navigate("open the Settings tab", http.StatusOK, chromedp.Click(link("Settings")))
	dana.expectText("General", "Collaborators", "PostgreSQL", "Business 8G", "dana (dana@example.com)")
	dana.screenshot("settings-general")
	dana.expectDatabases("dana-db")

	// Step 4: an invalid address is refused next to the field; then a real invitation.
	dana.openCollaborators("dana-db")
	dana.openAddForm()
	dana.fill("Email", "erin.example.com")
	dana.navigate("invite a malformed address", http.StatusUnprocessableEntity, chromedp.Click(button("Confirm")))
	if msg := dana.text(`//*[@data-testid="email-error"]`); msg == "" {
		t.Errorf("no error next to the Email field")
	}
	if v := get(dana, "read the Email field", chromedp.Value(field("Email"))); v != "erin.example.com" {
		t.Errorf("after the error the Email field holds %q, want what was typed", v)
	}
	dana.invite("erin@example.com", "dana-db")
	dana.screenshot("invited")
	erinLink := checkInvitation(t, s.app.Mail.waitFor(t, "erin@example.com"), s.app.URL, "dana-db", "dana")

	// Step 5: the invitee opens the link in their own browser, signs up, comes back, accepts.
	erin := s.newUser("erin", true)
	erin.navigate("open the invitation link", http.StatusOK, chromedp.Navigate(erinLink))
	erin.expectText("Join dana-db", "dana invites you to collaborate on the dedicated PostgreSQL database dana-db")
	for _, name := range []string{"Log in", "Sign up"} {
		erin.do("find "+name+" on the invitation", chromedp.WaitVisible(chromedp.Search(`//*[@data-testid="invitation"]//a[normalize-space()="`+name+`"]`)))
	}
	erin.screenshot("invitation")
	erin.navigate("click Sign up", http.StatusOK, chromedp.Click(chromedp.Search(`//*[@data-testid="invitation"]//a[normalize-space()="Sign up"]`)))
	erin.signUp("erin@example.com", "erin", "erin-password", "Join dana-db")
	erin.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	if got := erin.text(`//h1[@data-testid="database-name"]`); got != "dana-db" {
		t.Errorf("after Accept erin sees %q, want the database", got)
	}
	erin.expectFlash("You now collaborate on dana-db")
	erin.expectDatabases("dana-db")
	erin.navigate("open the used link again", http.StatusGone, chromedp.Navigate(erinLink))
	erin.expectText("already been accepted")

	dana.openCollaborators("dana-db")
	dana.expectRow("erin@example.com", "erin", "accepted", "collaborator")
	dana.expectDimmed("erin@example.com", false)

	// Step 6, by keyboard: the owner revokes user2, who is looking at the database.
	user2 := s.newUser("user2", true)
	user2.logIn("user2@example.com", demoPassword)
	user2.navigate("open "+demoDB, http.StatusOK, chromedp.Click(link(demoDB)))
	owner.revokeByKeyboard("user2@example.com", demoDB)
	user2.navigate("reload the database", http.StatusNotFound, chromedp.Reload())
	user2.expectDatabases()

	// Step 6, by mouse, on a pending invitation: its link then says it was cancelled.
	owner.openCollaborators(demoDB)
	owner.checkMenuKeyboard("user3@example.com")
	owner.revokeByMouse("user3@example.com", "user3@example.com", demoDB)
	owner.expectTable("user1@example.com")
	user3 := s.newUser("user3", true)
	user3.navigate("open the revoked invitation link", http.StatusGone, chromedp.Navigate(user3Link))
	user3.expectText("This invitation was cancelled")
	user3.screenshot("cancelled-invitation")

	// Step 7: a collaborator leaves through their own row.
	erin.openCollaborators("dana-db")
	if got := erin.text(chromedp.Search(`//tr[@data-email="erin@example.com"]//*[@class="you"]`)); got != "(you)" {
		t.Errorf("erin's own row is not marked: %q", got)
	}
	erin.revokeByMouse("erin@example.com", "", "dana-db")
	erin.expectFlash("You no longer collaborate on dana-db")
	erin.expectText("You have no database yet")
	erin.screenshot("left")

	// A stranger learns nothing of a database: every page of it answers 404.
	stranger := s.newUser("user4", true)
	stranger.logIn("user4@example.com", demoPassword)
	for _, path := range []string{"", "/settings", "/settings/collaborators", "/settings/collaborators/1/revoke"} {
		stranger.open("/databases/"+demoDB+path, http.StatusNotFound)
		stranger.expectText("Page not found")
	}
	stranger.screenshot("not-found")
}
