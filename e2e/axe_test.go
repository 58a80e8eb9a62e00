package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Issue 12's proof of accessibility: axe-core audits every page state the browser tests
// reach, at a desktop and a phone width, in the light and the dark theme, and no page
// scrolls sideways at 320 px (WCAG 1.4.10).

// axeTags are the rule sets of WCAG 2.2 levels A and AA, as axe-core names them.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// auditLooks are the widths and themes every state is audited in. Screenshots are taken
// in the light theme, and in the dark one too when $E2E_SCREENSHOTS keeps them.
var auditLooks = []struct {
	width int64
	theme string
}{{1280, "light"}, {1280, "dark"}, {375, "dark"}, {375, "light"}}

// axeTimeout bounds one step of an audit: injecting axe-core's 650 KB, auditing a page
// or taking its full-page screenshot take seconds on a loaded 2-core machine.
const axeTimeout = time.Minute

// slowGet is get with axeTimeout.
func slowGet[T any](u *user, what string, action chromedp.Action[T]) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, axeTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		u.fail(what, err)
	}
	return v
}

// reflowWidth is WCAG 1.4.10's narrowest viewport: 320 CSS px, nothing scrolls sideways.
const reflowWidth = 320

// axeSource is axe-core's axe.min.js: $DBCOLLAB_AXE_JS, or where .ci/run installs it
// (`npm install --prefix "$(user cache dir)/dbcollab-axe" axe-core@4`). CI fails without
// it; elsewhere the test is skipped.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("DBCOLLAB_AXE_JS")
	if path == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			path = filepath.Join(cache, "dbcollab-axe", "node_modules", "axe-core", "axe.min.js")
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is missing in CI (%v); .ci/run should have installed it", err)
		}
		t.Skipf("axe-core is missing (%v): npm install axe-core@4 and set DBCOLLAB_AXE_JS to its axe.min.js", err)
	}
	return string(src)
}

// auditor runs axe-core on page states and keeps their screenshots.
type auditor struct {
	t      *testing.T
	axe    string
	dir    string
	states []string
	runs   int
	shots  int
	// spent is the time taken by axe-core and by the screenshots, for the log.
	axeTime, shotTime time.Duration
}

// audit checks the state u's tab shows now, in every look and at 320 px, then puts the
// tab back to 1280 px and the light theme.
func (a *auditor) audit(u *user, state string) {
	a.t.Helper()
	a.states = append(a.states, state)
	for _, look := range auditLooks {
		u.look(look.width, look.theme)
		a.check(u, state, fmt.Sprintf("%d px %s", look.width, look.theme))
		if look.theme == "dark" && os.Getenv("E2E_SCREENSHOTS") == "" {
			continue
		}
		a.shots++
		shotStart := time.Now()
		png := slowGet(u, "screenshot "+state, chromedp.FullScreenshot(100))
		a.shotTime += time.Since(shotStart)
		name := fmt.Sprintf("%02d-%s-%d-%s.png", len(a.states), state, look.width, look.theme)
		if err := os.WriteFile(filepath.Join(a.dir, name), png, 0o644); err != nil {
			a.t.Fatal(err)
		}
	}
	u.look(reflowWidth, "light")
	overflow := get(u, "measure the page at 320 px", chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if overflow[0] > overflow[1] {
		a.t.Errorf("%s at %d px: the page is %d px wide and scrolls sideways (WCAG 1.4.10)", state, reflowWidth, overflow[0])
		png := get(u, "screenshot "+state, chromedp.FullScreenshot(100))
		os.WriteFile(filepath.Join(a.dir, fmt.Sprintf("%02d-%s-320-overflow.png", len(a.states), state)), png, 0o644)
	}
	u.look(1280, "light")
}

// check runs axe-core in the page and reports every WCAG 2.2 A/AA violation.
func (a *auditor) check(u *user, state, look string) {
	a.t.Helper()
	for _, v := range a.violations(u) {
		a.t.Errorf("%s (%s): %s (%s, %d elements): %s\n\t%s", state, look, v.ID, v.Impact, v.Count, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// axeViolation is one rule axe-core found broken, with up to three of its elements.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
	Count            int
}

// violations runs axe-core in u's page, injecting it first if the page has not got it.
func (a *auditor) violations(u *user) []axeViolation {
	a.t.Helper()
	a.runs++
	start := time.Now()
	defer func() { a.axeTime += time.Since(start) }()
	if !get(u, "look for axe-core", chromedp.Evaluate[bool](`typeof axe === "object"`)) {
		slowGet(u, "inject axe-core", chromedp.Evaluate[bool](a.axe+"\n;true"))
	}
	tags, _ := json.Marshal(axeTags)
	found := slowGet(u, "run axe-core", chromedp.Evaluate[string](`axe.configure({noHtml: true}), axe.run(document, {
		runOnly: {type: "tag", values: `+string(tags)+`},
		resultTypes: ["violations"],
		iframes: false,
	}).then((r) => JSON.stringify(r.violations.map((v) => ({
		id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + n.failureSummary.replace(/\s+/g, " ")),
		count: v.nodes.length,
	}))))`, chromedp.EvalAwaitPromise))
	var violations []axeViolation
	if err := json.Unmarshal([]byte(found), &violations); err != nil {
		a.t.Fatalf("read axe-core's answer: %v", err)
	}
	return violations
}

// expectToCatch checks that axe-core runs and reports: a nameless button planted in the
// page must be found, so that "no violation" cannot mean "axe-core did not run".
func (a *auditor) expectToCatch(u *user) {
	a.t.Helper()
	u.do("plant a nameless button", chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend", '<button id="axe-canary"></button>')`))
	var ids []string
	for _, v := range a.violations(u) {
		ids = append(ids, v.ID)
	}
	if fmt.Sprint(ids) != "[button-name]" {
		a.t.Fatalf("axe-core found %q in a page with a nameless button, want [button-name]", ids)
	}
	u.do("remove the nameless button", chromedp.Evaluate[chromedp.Void](`document.getElementById("axe-canary").remove()`))
}

// look sets the tab's viewport width and colour scheme.
func (u *user) look(width int64, theme string) {
	u.t.Helper()
	u.do(fmt.Sprintf("look at %d px, %s", width, theme),
		chromedp.EmulateViewport(width, 800),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}},
			})
			return err
		}))
}

// TestAxeFindsNoViolationInAnyState walks the states the other browser tests reach and
// audits each one: axe-core finds no WCAG 2.2 A/AA violation, at 1280 and 375 px, light
// and dark, and nothing scrolls sideways at 320 px. Screenshots of every state in every
// look go to the folder the log names ($E2E_SCREENSHOTS to keep them).
func TestAxeFindsNoViolationInAnyState(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	// No invitation limit: the tab is filled past its first page of 50 rows.
	s := newStage(t, true, "--invite-limit", "0")
	a := &auditor{t: t, axe: axe, dir: s.dir}
	start := time.Now()
	user3Link := checkInvitation(t, s.app.Mail.waitFor(t, "user3@example.com"), s.app.URL, demoDB, "user1")

	// Someone not signed in: the forms, their errors, a 404, an invitation link.
	visitor := s.newUser("visitor", true)
	visitor.open("/login", http.StatusOK)
	a.expectToCatch(visitor)
	a.audit(visitor, "login")
	visitor.navigate("log in with nothing", http.StatusUnprocessableEntity, chromedp.Click(button("Log in")))
	visitor.expectFocusOn(`#email`)
	a.audit(visitor, "login-field-errors")
	visitor.fill("Email", "user1@example.com")
	visitor.fill("Password", "wrong-password")
	visitor.navigate("log in with a wrong password", http.StatusUnauthorized, chromedp.Click(button("Log in")))
	a.audit(visitor, "login-refused")
	visitor.open("/signup", http.StatusOK)
	a.audit(visitor, "signup")
	visitor.fill("Email", "not-an-address")
	visitor.navigate("sign up with errors", http.StatusUnprocessableEntity, chromedp.Click(button("Sign up")))
	visitor.expectFocusOn(`#email`)
	a.audit(visitor, "signup-field-errors")
	visitor.open("/no-such-page", http.StatusNotFound)
	a.audit(visitor, "not-found")
	visitor.navigate("open user3's invitation", http.StatusOK, chromedp.Navigate(user3Link))
	a.audit(visitor, "invitation-signed-out")
	visitor.navigate("open a made-up invitation", http.StatusNotFound, chromedp.Navigate(s.app.URL+"/invitations/made-up-token"))
	a.audit(visitor, "invitation-unknown")
	visitor.open("/password/forgot", http.StatusOK)
	a.audit(visitor, "forgot-password")
	visitor.navigate("ask for a reset link with no address", http.StatusUnprocessableEntity, chromedp.Click(button("Send the link")))
	visitor.expectFocusOn(`#email`)
	a.audit(visitor, "forgot-password-field-error")
	visitor.fill("Email", "user4@example.com")
	visitor.navigate("ask for a reset link", http.StatusOK, chromedp.Click(button("Send the link")))
	a.audit(visitor, "reset-requested")
	resetPath, _ := visitor.mailedLink("user4@example.com", 1, resetLink)
	visitor.open(resetPath, http.StatusOK)
	a.audit(visitor, "reset-password")
	visitor.open("/password/reset/made-up-token", http.StatusNotFound)
	a.audit(visitor, "reset-link-unusable")

	// The owner: databases, a new one, its tabs, the Collaborators tab in every state.
	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	a.audit(owner, "databases")
	owner.open("/databases/new", http.StatusOK)
	a.audit(owner, "new-database")
	owner.fill("Name", "9-Lives")
	owner.navigate("create a badly named database", http.StatusUnprocessableEntity, chromedp.Click(button("Create database")))
	owner.expectFocusOn(`#name`)
	a.audit(owner, "new-database-field-error")
	owner.fill("Name", "owner-db")
	owner.navigate("create the database", http.StatusOK, chromedp.Click(button("Create database")))
	owner.expectFlashFocused()
	a.audit(owner, "overview-created")
	owner.open("/databases/"+demoDB, http.StatusOK)
	a.audit(owner, "overview")
	owner.open("/databases/"+demoDB+"/settings", http.StatusOK)
	a.audit(owner, "settings")
	owner.openCollaborators(demoDB)
	a.audit(owner, "collaborators")
	owner.openAddForm()
	a.audit(owner, "collaborators-add-open")
	owner.fill("Email", "erin.example.com")
	owner.navigate("invite a malformed address", http.StatusUnprocessableEntity, chromedp.Click(button("Confirm")))
	owner.expectFocusOn(`#email`)
	a.audit(owner, "collaborators-field-error")
	owner.fill("Email", "fay@example.com, erin.example.com")
	owner.navigate("invite two addresses, one malformed", http.StatusOK, chromedp.Click(button("Confirm")))
	owner.expectFocusOn(`#email`)
	a.audit(owner, "collaborators-several-refused")
	owner.fill("Email", "erin@example.com")
	owner.navigate("invite erin", http.StatusOK, chromedp.Click(button("Confirm")))
	owner.expectFlashFocused()
	a.audit(owner, "collaborators-invited")
	firstErinLink := checkInvitation(t, s.app.Mail.waitFor(t, "erin@example.com"), s.app.URL, demoDB, "user1")

	erinMenu := menuButtonFor("erin@example.com")
	owner.do("open the menu of erin's row", chromedp.Click(chromedp.CSS(erinMenu)))
	owner.expectExpanded(erinMenu, true)
	a.audit(owner, "collaborators-menu-open")
	owner.navigate("click Resend invitation", http.StatusOK, chromedp.Click(chromedp.Search(`//tr[@data-email="erin@example.com"]//*[@role="menuitem"][normalize-space()="Resend invitation"]`)))
	owner.expectFlashFocused()
	a.audit(owner, "collaborators-resent")
	visitor.navigate("open erin's first link", http.StatusGone, chromedp.Navigate(firstErinLink))
	a.audit(visitor, "invitation-replaced")
	erinLink := checkInvitation(t, s.app.Mail.latestTo(t, "erin@example.com", 2), s.app.URL, demoDB, "user1")

	owner.do("open the menu of erin's row", chromedp.Click(chromedp.CSS(erinMenu)))
	owner.do("click Revoke access", chromedp.Click(chromedp.Search(`//tr[@data-email="erin@example.com"]//*[@role="menuitem"][normalize-space()="Revoke access"]`)))
	owner.expectDialog(true)
	owner.expectFocus("Cancel")
	a.audit(owner, "collaborators-popup-open")
	owner.navigate("click Revoke access to erin@example.com", http.StatusOK, chromedp.Click(button("Revoke access to erin@example.com")))
	owner.expectFlashFocused()
	a.audit(owner, "collaborators-removed")
	visitor.navigate("open erin's cancelled link", http.StatusGone, chromedp.Navigate(erinLink))
	a.audit(visitor, "invitation-cancelled")

	ownerRow := get(owner, "find the owner's row", chromedp.Evaluate[string](`new URL(document.querySelector('tr[data-email="user2@example.com"] a[data-revoke]').href).pathname.replace(/\d+\/revoke$/, "")`))
	owner.open(ownerRow+"1/revoke", http.StatusOK)
	owner.expectFlashFocused()
	if !owner.flashIsError() {
		t.Errorf("the refusal to revoke the owner does not look like an error")
	}
	a.audit(owner, "collaborators-refused")
	owner.navigate("open the confirmation page of user2", http.StatusOK, chromedp.Navigate(s.app.URL+get(owner, "find user2's row",
		chromedp.Evaluate[string](`new URL(document.querySelector('tr[data-email="user2@example.com"] a[data-revoke]').href).pathname`))))
	a.audit(owner, "revoke-confirmation")

	// Search, status filter and pages (issue 12), each state with its URL to share.
	owner.openCollaborators(demoDB)
	owner.fill("Email or username", "USER")
	owner.do("choose Pending", chromedp.SetValue(chromedp.CSS("#status"), "pending"))
	owner.navigate("search pending rows for USER", http.StatusOK, chromedp.Click(button("Search")))
	if got := owner.text(`//*[@data-testid="row-count"]`); got != "1–1 of 1" {
		t.Errorf("the search for USER among pending rows says %q", got)
	}
	if got := get(owner, "read the URL", chromedp.Evaluate[string](`location.search`)); got != "?q=USER&status=pending" {
		t.Errorf("the search is not in the URL: %q", got)
	}
	a.audit(owner, "collaborators-search")
	owner.fill("Email or username", "nobody")
	owner.navigate("search for nobody", http.StatusOK, chromedp.Click(button("Search")))
	if got := owner.text(`//*[@data-testid="row-count"]`); got != "No collaborator matches" {
		t.Errorf("a search with no result says %q", got)
	}
	a.audit(owner, "collaborators-search-none")
	owner.openCollaborators(demoDB)
	owner.openAddForm()
	for batch := range 3 {
		var addresses []string
		for i := range 20 {
			addresses = append(addresses, fmt.Sprintf("guest%02d@example.com", batch*20+i))
		}
		owner.do("enter 20 addresses", chromedp.SetValue(chromedp.CSS("#email"), strings.Join(addresses, " ")))
		owner.navigate("invite 20 guests", http.StatusOK, chromedp.Click(button("Confirm")))
		owner.openAddForm()
	}
	owner.navigate("click Next", http.StatusOK, chromedp.Click(chromedp.Search(`//nav[@data-testid="row-pager"]//a[normalize-space()="Next"]`)))
	if got := owner.text(`//*[@data-testid="row-count"]`); got != "51–64 of 64" {
		t.Errorf("page 2 says %q", got)
	}
	a.audit(owner, "collaborators-page-2")

	owner.open("/account", http.StatusOK)
	a.audit(owner, "account")
	owner.navigate("create a token without a name", http.StatusUnprocessableEntity, chromedp.Click(button("Create token")))
	owner.expectFocusOn(`#name`)
	a.audit(owner, "account-field-error")
	owner.fill("Name", "CLI on my laptop")
	owner.navigate("create a token", http.StatusOK, chromedp.Click(button("Create token")))
	a.audit(owner, "account-new-token")
	owner.navigate("revoke the token", http.StatusOK, chromedp.Click(chromedp.Search(`//button[@aria-label="Revoke the token CLI on my laptop"]`)))
	owner.expectFlashFocused()
	a.audit(owner, "account-token-revoked")
	owner.fill("Current password", "wrong-password")
	owner.navigate("change the password with a wrong one", http.StatusUnprocessableEntity, chromedp.Click(button("Change password")))
	owner.expectFocusOn(`#current_password`)
	a.audit(owner, "account-password-error")
	owner.fill("New e-mail address", "user1.new@example.com")
	owner.fill("Your password", demoPassword)
	owner.navigate("ask to change the e-mail address", http.StatusOK, chromedp.Click(button("Send confirmation link")))
	a.audit(owner, "account-email-requested")
	emailPath, _ := owner.mailedLink("user1.new@example.com", 1, emailChangeLink)
	owner.open(emailPath, http.StatusOK)
	a.audit(owner, "email-confirmation")
	owner.open("/databases/no-such-db", http.StatusNotFound)
	a.audit(owner, "not-found-signed-in")

	// The invitation seen by the wrong account, then by its invitee, who accepts and leaves.
	user4 := s.newUser("user4", true)
	user4.logIn("user4@example.com", demoPassword)
	user4.navigate("open user3's invitation", http.StatusOK, chromedp.Navigate(user3Link))
	a.audit(user4, "invitation-wrong-account")
	user3 := s.newUser("user3", true)
	user3.navigate("open the invitation", http.StatusOK, chromedp.Navigate(user3Link))
	user3.navigate("click Sign up", http.StatusOK, chromedp.Click(chromedp.Search(`//*[@data-testid="invitation"]//a[normalize-space()="Sign up"]`)))
	a.audit(user3, "signup-invited")
	user3.signUp("user3@example.com", "user3", "user3-password", "Join "+demoDB)
	a.audit(user3, "invitation-signed-in")
	user3.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	user3.expectFlashFocused()
	a.audit(user3, "invitation-accepted-overview")
	user3.navigate("open the used link", http.StatusGone, chromedp.Navigate(user3Link))
	a.audit(user3, "invitation-used")
	user3.openCollaborators(demoDB)
	user3.revokeByMouse("user3@example.com", "", demoDB)
	user3.expectFlashFocused()
	a.audit(user3, "databases-left")

	// Expiry needs a short --invite-ttl: a second app, the tab and the link once expired.
	late := newStage(t, true, "--invite-ttl", "2s")
	lateLink := checkInvitation(t, late.app.Mail.waitFor(t, "user3@example.com"), late.app.URL, demoDB, "user1")
	lateOwner := late.newUser("late-user1", true)
	lateOwner.logIn("user1@example.com", demoPassword)
	lateOwner.openCollaborators(demoDB)
	lateOwner.reloadUntil("wait for user3's invitation to expire", chromedp.Search(`//tr[@data-email="user3@example.com"]/td[3]`),
		func(s string) bool { return s == "expired" })
	a.audit(lateOwner, "collaborators-expired-row")
	lateVisitor := late.newUser("late-visitor", true)
	lateVisitor.navigate("open the expired link", http.StatusGone, chromedp.Navigate(lateLink))
	a.audit(lateVisitor, "invitation-expired")

	t.Logf("%d states × %d looks: %d axe-core audits (%s), %d screenshots (%s), %d reflow checks at %d px; %s in all",
		len(a.states), len(auditLooks), a.runs, a.axeTime.Round(time.Millisecond), a.shots, a.shotTime.Round(time.Millisecond),
		len(a.states), reflowWidth, time.Since(start).Round(time.Millisecond))
}

// expectFocusOn waits until the focused element matches a CSS selector.
func (u *user) expectFocusOn(css string) {
	u.t.Helper()
	u.poll("wait for the focus on "+css, fmt.Sprintf(`document.activeElement.matches(%q)`, css))
}

// expectFlashFocused waits until the page's message has the focus, so that it is read.
func (u *user) expectFlashFocused() {
	u.t.Helper()
	u.expectFocusOn(`[data-testid=flash]`)
}

// flashIsError reports whether the page's message is styled and announced as an error.
func (u *user) flashIsError() bool {
	u.t.Helper()
	return get(u, "look at the message", chromedp.Evaluate[bool](`(() => {
		const f = document.querySelector("[data-testid=flash]");
		return f.classList.contains("error") && f.getAttribute("role") === "alert" && document.title.startsWith("Error: ");
	})()`))
}
