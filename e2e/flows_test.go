package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/chromedp/chromedp"
)

// Steps of the collaborators flow that several tests take, as a person takes them.

// signUp creates an account from the form; the app then leads to next (a page whose text
// includes nextText). Coming from an invitation, the Email field may be locked to the
// invited address: then it must show it, and nobody types into it.
func (u *user) signUp(email, username, password, nextText string) {
	u.t.Helper()
	if get(u, "look at the Email field", chromedp.AttributeValue(field("Email"), "readonly")).Exists {
		if v := get(u, "read the Email field", chromedp.Value(field("Email"))); v != email {
			u.fail("sign up", fmt.Errorf("the locked Email field shows %q, want %q", v, email))
		}
	} else {
		u.fill("Email", email)
	}
	u.fill("Username", username)
	u.fill("Password", password)
	u.navigate("sign up", http.StatusOK, chromedp.Click(button("Sign up")))
	u.expectText(nextText)
}

// confirmationLink finds the link of a sign-up confirmation e-mail.
var confirmationLink = regexp.MustCompile(`http://\S+/signup/confirm/[A-Za-z0-9_-]{43}`)

// confirmSignUp follows the confirmation link e-mailed to email and presses the button
// of the page it opens: the app then leads to the log-in page.
func (u *user) confirmSignUp(email string) {
	u.t.Helper()
	text := u.stage.app.Mail.waitFor(u.t, email).Parts["text/plain"]
	link := confirmationLink.FindString(text)
	if link == "" {
		u.fail("find the confirmation link", fmt.Errorf("none in the e-mail to %s:\n%s", email, text))
	}
	u.open(strings.TrimPrefix(link, u.stage.app.URL), http.StatusOK)
	u.navigate("confirm the address", http.StatusOK, chromedp.Click(button("Confirm my address")))
	u.expectFlash("Your e-mail address is confirmed; log in.")
}

// openCollaborators goes from "Your databases" to Settings → Collaborators of db.
func (u *user) openCollaborators(db string) {
	u.t.Helper()
	u.open("/", http.StatusOK)
	u.navigate("open "+db, http.StatusOK, chromedp.Click(link(db)))
	u.navigate("open the Settings tab", http.StatusOK, chromedp.Click(link("Settings")))
	u.navigate("open Collaborators in the side menu", http.StatusOK, chromedp.Click(link("Collaborators")))
	if got := u.text(`//h2`); got != "Collaborators" {
		u.fail("open Collaborators", fmt.Errorf("heading %q", got))
	}
}

// invite adds email from the Collaborators tab: Add, the Email field, Confirm.
func (u *user) invite(email, db string) {
	u.t.Helper()
	u.openAddForm()
	u.fill("Email", email)
	u.navigate("click Confirm", http.StatusOK, chromedp.Click(button("Confirm")))
	u.expectFlash(email + " has been invited to collaborate to " + db)
	u.expectRow(email, "n/a", "pending", "collaborator")
	u.expectDimmed(email, true)
}

// openAddForm clicks Add, unless the form is open already (it stays open to show an error).
func (u *user) openAddForm() {
	u.t.Helper()
	if u.count(`details[data-testid=add-collaborator][open]`) == 0 {
		u.do("click Add", chromedp.Click(chromedp.Search(`//summary[normalize-space()="Add"]`)))
	}
}

// row is the CSS selector of the collaborators table's row for email.
func row(email string) string {
	return `table[data-testid=collaborators] tbody tr[data-email="` + email + `"]`
}

// cells are the visible texts of a row's Email, Username, Status and Role cells.
func (u *user) cells(email string) []string {
	u.t.Helper()
	var texts []string
	for i := 1; i <= 4; i++ {
		texts = append(texts, strings.TrimSpace(get(u, "read the row of "+email,
			chromedp.Text(chromedp.CSS(fmt.Sprintf("%s td:nth-child(%d)", row(email), i))))))
	}
	return texts
}

// expectRow checks the row of email shows its username, status and role.
func (u *user) expectRow(email, username, status, role string) {
	u.t.Helper()
	got := u.cells(email)
	want := []string{email, username, status, role}
	// The Email cell may say more on the lines below the address (the e-mail's delivery).
	address, _, _ := strings.Cut(got[0], "\n")
	if strings.TrimSuffix(address, " (you)") != want[0] || fmt.Sprint(got[1:]) != fmt.Sprint(want[1:]) {
		u.fail("read the row of "+email, fmt.Errorf("row shows %q, want %q", got, want))
	}
}

// expectDimmed checks that the row's data cells are (or are not) in a lighter colour
// than the page's text. A faded colour, not opacity: axe-core checks its contrast.
func (u *user) expectDimmed(email string, dimmed bool) {
	u.t.Helper()
	ink := u.style("body", "color")
	for i := 1; i <= 4; i++ {
		cell := fmt.Sprintf("%s td:nth-child(%d)", row(email), i)
		if c := u.style(cell, "color"); (c != ink) != dimmed {
			u.fail("look at the row of "+email, fmt.Errorf("cell %d has colour %s, the page's text %s; want dimmed=%v", i, c, ink, dimmed))
		}
		if o := u.style(cell, "opacity"); o != "1" {
			u.fail("look at the row of "+email, fmt.Errorf("cell %d has opacity %s, which lowers its contrast", i, o))
		}
	}
}

// expectTable checks the table's headings and the order of its rows, by e-mail.
func (u *user) expectTable(emails ...string) {
	u.t.Helper()
	var headings []string
	for i := 1; i <= 4; i++ {
		// The text, not innerText: the headings are upper-cased by CSS only.
		heading := get(u, "read the table", chromedp.TextContent(chromedp.Search(fmt.Sprintf(`//table[@data-testid="collaborators"]//thead//th[%d]`, i))))
		headings = append(headings, strings.TrimSpace(heading))
	}
	if fmt.Sprint(headings) != "[Email Username Status Role]" {
		u.fail("read the table", fmt.Errorf("columns %q", headings))
	}
	nodes := get(u, "read the table", chromedp.Nodes(chromedp.CSSAll(`table[data-testid=collaborators] tbody tr`), chromedp.AtLeast(0)))
	var got []string
	for _, n := range nodes {
		got = append(got, n.AttributeValue("data-email"))
	}
	if fmt.Sprint(got) != fmt.Sprint(emails) {
		u.fail("read the table", fmt.Errorf("rows %q, want %q", got, emails))
	}
}

// expectNoRow checks the table has no row for email.
func (u *user) expectNoRow(email string) {
	u.t.Helper()
	if n := u.count(row(email)); n != 0 {
		u.fail("read the table", fmt.Errorf("%s still has a row", email))
	}
}

// expectDatabases checks the names on "Your databases", in order.
func (u *user) expectDatabases(names ...string) {
	u.t.Helper()
	u.open("/", http.StatusOK)
	nodes := get(u, "read the list", chromedp.Nodes(chromedp.CSSAll(`[data-testid=databases] li > a`), chromedp.AtLeast(0)))
	var got []string
	for _, n := range nodes {
		got = append(got, strings.TrimSpace(get(u, "read the list", chromedp.Text(chromedp.NodeIDs{n.NodeID}))))
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		u.fail("read Your databases", fmt.Errorf("list %q, want %q", got, names))
	}
}

// saveDocScreenshot refreshes the README's picture when UPDATE_SCREENSHOT=1.
func (u *user) saveDocScreenshot(name string) {
	u.t.Helper()
	if os.Getenv("UPDATE_SCREENSHOT") != "1" {
		return
	}
	png := get(u, "screenshot for the README", chromedp.FullScreenshot(100))
	path := filepath.Join(repoRoot, "docs", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		u.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.t.Logf("updated %s", path)
}
