package e2e

import (
	"context"
	"fmt"
	"net/http"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The row menu (a WAI-ARIA menu button) and the revoke <dialog>, with the keyboard and
// the mouse. These need JavaScript; revokeWithoutScript is their fallback.

// revokeByKeyboard revokes email's access with the keyboard alone: the WAI-ARIA menu
// button, its menu, the <dialog> (cancelled once with Escape), its confirm button.
func (u *user) revokeByKeyboard(email, db string) {
	u.t.Helper()
	u.openCollaborators(db)
	menuButton := menuButtonFor(email)
	u.checkMenuKeyboard(email)

	u.do("press Enter on the menu button", press(kb.Enter))
	u.arrowTo(menuButton, "Revoke access")
	u.do("press Enter on Revoke access", press(kb.Enter))
	u.expectDialog(true)
	// The popup opens on the harmless choice: Enter right away cancels.
	u.expectFocus("Cancel")
	u.screenshot("revoke-dialog")
	u.do("press Escape in the dialog", press(kb.Escape))
	u.expectDialog(false)
	u.expectFocus("Actions for " + email)
	if n := u.count(row(email)); n != 1 {
		u.fail("cancel the dialog", fmt.Errorf("the row of %s is gone", email))
	}

	u.do("press Enter on the menu button", press(kb.Enter))
	u.arrowTo(menuButton, "Revoke access")
	u.do("press Enter on Revoke access", press(kb.Enter))
	u.expectDialog(true)
	u.navigate("click Revoke access to "+email, http.StatusOK, chromedp.Click(button("Revoke access to "+email)))
	u.expectFlash(email + " has been removed from the collaborators of " + db)
	u.expectNoRow(email)
	u.screenshot("revoked")
}

// menuButtonFor is the CSS selector of the menu button of email's row.
func menuButtonFor(email string) string {
	return `button[aria-haspopup=menu][aria-label="Actions for ` + email + `"]`
}

// checkMenuKeyboard opens the menu of email's row with Enter, walks it with the arrows
// (down through every item and around to the first, then up around to the last), and
// closes it with Escape, which gives the focus back to the button; then Space opens it.
func (u *user) checkMenuKeyboard(email string) {
	u.t.Helper()
	menuButton := menuButtonFor(email)
	u.do("focus "+menuButton, chromedp.Focus(chromedp.CSS(menuButton)))
	u.do("press Enter on the menu button", press(kb.Enter))
	u.expectExpanded(menuButton, true)
	u.expectMenuFocus(menuButton, 0)
	items := len(u.menuItemNames(menuButton))
	for i := 1; i <= items; i++ {
		u.do("press ArrowDown in the menu", press(kb.ArrowDown))
		u.expectMenuFocus(menuButton, i)
	}
	u.screenshot("menu-open")
	u.do("press ArrowUp in the menu", press(kb.ArrowUp))
	u.expectMenuFocus(menuButton, items-1)
	u.do("press Escape in the menu", press(kb.Escape))
	u.expectExpanded(menuButton, false)
	u.expectFocus("Actions for " + email)

	u.do("press Space on the menu button", press(" "))
	u.expectExpanded(menuButton, true)
	u.expectMenuFocus(menuButton, 0)
	u.do("press Escape in the menu", press(kb.Escape))
	u.expectExpanded(menuButton, false)
	u.expectFocus("Actions for " + email)
}

// menuItemNames are the texts of the items of the menu a menu button controls.
func (u *user) menuItemNames(menuButton string) []string {
	u.t.Helper()
	return get(u, "read the menu", chromedp.Evaluate[[]string](menuItems(menuButton)+`.map((e) => e.textContent.trim())`))
}

// arrowTo presses ArrowDown in the open menu until the item named name has the focus,
// checking each press moves the focus to the next item.
func (u *user) arrowTo(menuButton, name string) {
	u.t.Helper()
	items := u.menuItemNames(menuButton)
	for i := range items {
		if items[i] == name {
			break
		}
		u.do("press ArrowDown in the menu", press(kb.ArrowDown))
		u.expectMenuFocus(menuButton, i+1)
	}
	u.expectFocus(name)
}

// revokeByMouse clicks through the row's menu and the dialog on the Collaborators tab. When removedEmail is set,
// it checks the table no longer has them; someone leaving lands on their databases.
func (u *user) revokeByMouse(email, removedEmail, db string) {
	u.t.Helper()
	u.do("click Actions for "+email, chromedp.Click(chromedp.CSS(menuButtonFor(email))))
	u.do("click Revoke access", chromedp.Click(chromedp.Search(`//tr[@data-email="`+email+`"]//*[@role="menuitem"][normalize-space()="Revoke access"]`)))
	u.expectDialog(true)
	u.navigate("click Revoke access to "+email, http.StatusOK, chromedp.Click(button("Revoke access to "+email)))
	if removedEmail != "" {
		u.expectFlash(removedEmail + " has been removed from the collaborators of " + db)
		u.expectNoRow(removedEmail)
	}
}

// expectFocus waits until the focused element has this accessible name: its
// aria-label, or else its text.
func (u *user) expectFocus(name string) {
	u.t.Helper()
	u.poll("wait for the focus on "+name, fmt.Sprintf(`(() => {
		const e = document.activeElement;
		return (e.getAttribute("aria-label") || e.textContent).trim() === %q;
	})()`, name))
}

// expectMenuFocus waits until the focus is on the menu's item at index, modulo the
// number of items: the arrows go round.
func (u *user) expectMenuFocus(menuButton string, index int) {
	u.t.Helper()
	u.poll(fmt.Sprintf("wait for the focus on menu item %d", index), fmt.Sprintf(`(() => {
		const items = %s;
		return document.activeElement === items[%d %% items.length];
	})()`, menuItems(menuButton), index))
}

// menuItems is a JavaScript expression: the items of the menu a menu button controls.
func menuItems(menuButton string) string {
	return fmt.Sprintf(`Array.from(document.getElementById(document.querySelector(%q).getAttribute("aria-controls")).querySelectorAll("[role=menuitem]"))`, menuButton)
}

// expectExpanded waits until the menu button says its menu is open (or closed), and
// the menu is shown (or hidden) accordingly.
func (u *user) expectExpanded(menuButton string, open bool) {
	u.t.Helper()
	expr := fmt.Sprintf(`(() => {
		const b = document.querySelector(%q);
		const menu = document.getElementById(b.getAttribute("aria-controls"));
		return (b.getAttribute("aria-expanded") === "true") === %v && menu.hidden === %v;
	})()`, menuButton, open, !open)
	u.poll(fmt.Sprintf("wait for the menu open=%v", open), expr)
}

// expectDialog waits until the confirmation <dialog> is open (focus inside it) or closed.
func (u *user) expectDialog(open bool) {
	u.t.Helper()
	expr := `document.querySelector("dialog").open && document.querySelector("dialog").contains(document.activeElement)`
	if !open {
		expr = `!document.querySelector("dialog").open`
	}
	u.poll(fmt.Sprintf("wait for the dialog open=%v", open), expr)
}

// press sends one key as Chromium on Linux gets it from a keyboard: rawKeyDown, then
// char for a key that types something, then keyUp. chromedp.KeyEvent sends keyDown in
// place of rawKeyDown, and Chromium then does not drop the char event that follows a
// keydown the page handled: Enter on a link that moves the focus to a button would
// press that button too, which no keyboard does.
func press(key string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range key {
			for _, ev := range kb.Encode(r) {
				if ev.Type == kb.KeyDown {
					ev.Type = input.DispatchKeyEventTypeRawKeyDown
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// poll waits until a JavaScript expression is true in the page.
func (u *user) poll(what, expr string) {
	u.t.Helper()
	get(u, what, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(actionTimeout/2)))
}
