package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 11 point 4 in a browser: "Make owner" in the owner's row menu opens a popup whose
// button names the address; confirming makes the collaborator the owner and e-mails both.
func TestMakeOwnerInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	a := &auditor{t: t, axe: axeSource(t), dir: s.dir}
	mail := s.app.Mail
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)

	owner.do("click Actions for user2@example.com", chromedp.Click(chromedp.CSS(menuButtonFor("user2@example.com"))))
	owner.do("click Make owner", chromedp.Click(chromedp.Search(`//tr[@data-email="user2@example.com"]//*[@role="menuitem"][normalize-space()="Make owner"]`)))
	owner.poll("wait for the transfer popup, its focus inside",
		`document.getElementById("transfer-dialog").open && document.getElementById("transfer-dialog").contains(document.activeElement)`)
	owner.expectFocus("Cancel")
	a.audit(owner, "transfer-dialog")
	owner.navigate("click Transfer ownership to user2@example.com", http.StatusOK,
		chromedp.Click(button("Transfer ownership to user2@example.com")))
	owner.expectFlash("user2@example.com is now the owner of " + demoDB)

	expectNotice(t, mail.latestTo(t, "user2@example.com", 1), "You are now the owner of "+demoDB,
		"user1 (user1@example.com) made you the owner of "+demoDB+"; they now collaborate on it.")
	expectNotice(t, mail.latestTo(t, "user1@example.com", 1), "You transferred "+demoDB+" to user2@example.com",
		"You made user2@example.com the owner of "+demoDB+"; you now collaborate on it. Only user2@example.com can transfer it again.")
	if n := owner.count(`#transfer-dialog`); n != 0 {
		t.Errorf("the old owner still has the transfer popup (%d)", n)
	}

	// The new owner may hand it back; the page that stands for the popup passes axe too.
	user2 := s.newUser("user2", true)
	user2.logIn("user2@example.com", demoPassword)
	user2.openCollaborators(demoDB)
	href := get(user2, "read Make owner's link on user1's row", chromedp.Evaluate[string](
		`new URL(document.querySelector('tr[data-email="user1@example.com"] [data-transfer]').href).pathname`))
	user2.open(href, http.StatusOK)
	if n := user2.count(`main button.confirm`); n != 1 {
		t.Fatalf("the confirmation page has %d confirm buttons", n)
	}
	a.audit(user2, "transfer-page")
}
