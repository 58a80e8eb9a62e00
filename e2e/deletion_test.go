package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 11 point 5 in a browser: the owner's account is refused with the list of what it
// owns; a collaborator's goes, the owner is told as when someone leaves, and the
// browser is signed out.
func TestDeleteAccountInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	a := &auditor{t: t, axe: axeSource(t), dir: s.dir}
	mail := s.app.Mail

	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.open("/account", http.StatusOK)
	owner.fill("Password", demoPassword)
	owner.fill("Type your e-mail address to confirm", "user1@example.com")
	owner.navigate("click Delete account", http.StatusConflict, chromedp.Click(button("Delete account")))
	owner.expectText("You own " + demoDB + ": transfer or delete them first")
	a.audit(owner, "delete-account-refused")

	user2 := s.newUser("user2", true)
	user2.logIn("user2@example.com", demoPassword)
	user2.open("/account", http.StatusOK)
	user2.fill("Password", demoPassword)
	user2.fill("Type your e-mail address to confirm", "user2@example.com")
	user2.navigate("click Delete account", http.StatusOK, chromedp.Click(button("Delete account")))
	user2.expectFlash("Your account has been deleted")
	user2.open("/", http.StatusOK)
	user2.expectText("Log in")

	expectNotice(t, mail.latestTo(t, "user1@example.com", 1), "user2 (user2@example.com) stopped collaborating on "+demoDB,
		"user2 (user2@example.com) stopped collaborating on "+demoDB+" and no longer has access to it.")
	owner.openCollaborators(demoDB)
	owner.expectNoRow("user2@example.com")
	owner.expectText("user2@example.com stopped collaborating")
}

// Issue 11 point 6 in a browser: a mistyped name is said next to the field; the right one
// deletes the database, its collaborator is e-mailed, the pending invitation's link says
// the database no longer exists.
func TestDeleteDatabaseInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	a := &auditor{t: t, axe: axeSource(t), dir: s.dir}
	mail := s.app.Mail
	user3Link := checkInvitation(t, mail.latestTo(t, "user3@example.com", 1), s.app.URL, demoDB, "user1")

	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.open("/databases/"+demoDB+"/settings", http.StatusOK)
	const label = "Type the name of the database, " + demoDB + ", to confirm"
	owner.fill(label, "my-dedicated")
	owner.navigate("click Delete database", http.StatusUnprocessableEntity, chromedp.Click(button("Delete database")))
	if got := owner.text(`//*[@data-testid="name-error"]`); got != "Type "+demoDB+", the name of the database, to delete it" {
		t.Errorf("the error next to the field reads %q", got)
	}
	if v := get(owner, "read the field", chromedp.Value(field(label))); v != "my-dedicated" {
		t.Errorf("the field holds %q; want what was typed", v)
	}
	a.audit(owner, "delete-database-refused")
	owner.fill(label, demoDB)
	owner.navigate("click Delete database", http.StatusOK, chromedp.Click(button("Delete database")))
	owner.expectFlash("The database " + demoDB + " has been deleted")
	owner.expectDatabases()

	expectNotice(t, mail.latestTo(t, "user2@example.com", 1), demoDB+" was deleted",
		"user1 (user1@example.com) deleted the database "+demoDB+"; you no longer have access to it.")
	expectNotice(t, mail.latestTo(t, "user1@example.com", 1), "You deleted "+demoDB,
		"You deleted the database "+demoDB+"; its collaborators were told and no longer have access to it.")

	visitor := s.newUser("visitor", true)
	visitor.navigate("open user3's link", http.StatusGone, chromedp.Navigate(user3Link))
	visitor.expectText("This invitation was to " + demoDB + ", a database that no longer exists: its owner deleted it.")
}
