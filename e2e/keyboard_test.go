package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestEnterOpensTheMenuWithoutActing is issue 12's keyboard point: Enter on a row's menu
// button opens the menu and acts on none of its items, even sent as a browser's keyDown
// with its char event (which press avoids); the popup then opens on Cancel, and Enter
// there cancels.
func TestEnterOpensTheMenuWithoutActing(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	for _, email := range []string{"user2@example.com", "user3@example.com"} {
		owner.openCollaborators(demoDB)
		menuButton := menuButtonFor(email)
		owner.do("focus "+menuButton, chromedp.Focus(chromedp.CSS(menuButton)))
		owner.do("press Enter on the menu button", chromedp.KeyEvent(kb.Enter))
		owner.expectExpanded(menuButton, true)
		owner.expectMenuFocus(menuButton, 0)
		owner.expectDialog(false)
		if got := owner.text("//h2"); got != "Collaborators" {
			t.Fatalf("Enter on the menu button of %s left the tab for %q", email, got)
		}
		if n := owner.count(`[data-testid=flash]`); n != 0 {
			t.Fatalf("Enter on the menu button of %s acted on an item: %q", email, owner.text(`//*[@data-testid="flash"]`))
		}
	}

	owner.arrowTo(menuButtonFor("user3@example.com"), "Revoke access")
	owner.do("press Enter on Revoke access", press(kb.Enter))
	owner.expectDialog(true)
	owner.expectFocus("Cancel")
	owner.do("press Enter on Cancel", press(kb.Enter))
	owner.expectDialog(false)
	owner.expectFocus("Actions for user3@example.com")
	owner.expectRow("user3@example.com", "n/a", "pending", "collaborator")
	owner.open("/databases/"+demoDB+"/settings/collaborators", http.StatusOK)
	owner.expectRow("user3@example.com", "n/a", "pending", "collaborator")
}

// TestSkipLinkMovesTheFocusToTheContent: the first Tab of a page reaches "Skip to
// content", shown once focused, and Enter on it puts the keyboard in the page's content.
func TestSkipLinkMovesTheFocusToTheContent(t *testing.T) {
	t.Parallel()
	s := newStage(t, false)
	visitor := s.newUser("visitor", true)
	visitor.open("/login", http.StatusOK)
	visitor.do("press Tab", press(kb.Tab))
	visitor.expectFocus("Skip to content")
	if top := get(visitor, "find the skip link", chromedp.Evaluate[float64](`document.activeElement.getBoundingClientRect().top`)); top < 0 {
		t.Errorf("the focused skip link is off screen (top %v px)", top)
	}
	visitor.do("press Enter on Skip to content", press(kb.Enter))
	visitor.expectFocusOn("main#content")
	visitor.do("press Tab", press(kb.Tab))
	visitor.expectFocusOn("#email")
}
