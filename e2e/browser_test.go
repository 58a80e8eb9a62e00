package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// actionTimeout bounds one step of a user: a page load, a click, a wait for an element.
const actionTimeout = 10 * time.Second

var (
	browserOnce sync.Once
	browser     context.Context
	browserErr  error
)

// sharedBrowser starts Chromium on first use; every test's users are tabs in their own
// browser contexts (separate cookie jars) of that one process.
func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	if allocator == nil {
		// CI installs Chromium (.ci/run): there, a missing browser is a failure, not a skip.
		if os.Getenv("CI") != "" {
			t.Fatal("e2e: " + chromiumPath + " is missing in CI; .ci/run should have installed it")
		}
		t.Skip("e2e: " + chromiumPath + " is missing; install it (apt-get install chromium) to run the browser tests")
	}
	browserOnce.Do(func() {
		// No timeout here: the first run binds Chromium's life to this context.
		browser, _ = chromedp.NewContext(allocator)
		browserErr = chromedp.Do(browser)
	})
	if browserErr != nil {
		t.Fatalf("start Chromium: %v", browserErr)
	}
	return browser
}

// stage is one test's world: a running app, the screenshots of its steps, its users.
type stage struct {
	t     *testing.T
	app   *app
	dir   string
	shots atomic.Int32
}

// newStage starts the app (with the demo data or not, and the extra serve flags given)
// for a browser test.
func newStage(t *testing.T, demo bool, flags ...string) *stage {
	t.Helper()
	sharedBrowser(t)
	dir := t.TempDir()
	if root := os.Getenv("E2E_SCREENSHOTS"); root != "" {
		dir = filepath.Join(root, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots of %s go to %s", t.Name(), dir)
	return &stage{t: t, app: startApp(t, demo, flags...), dir: dir}
}

// user is one person at their own browser: a tab in a fresh browser context.
type user struct {
	t     *testing.T
	stage *stage
	name  string
	ctx   context.Context
}

// newUser opens a tab for name in a new browser context, with JavaScript on or off.
func (s *stage) newUser(name string, javascript bool) *user {
	s.t.Helper()
	problems := &consoleProblems{}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(problems.listen))
	s.t.Cleanup(cancel)
	u := &user{t: s.t, stage: s, name: name, ctx: ctx}
	s.t.Cleanup(func() {
		for _, p := range problems.list() {
			s.t.Errorf("%s's browser console: %s", name, p)
		}
	})
	// No timeout on the first run: it binds the tab's life to its context.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		s.t.Fatalf("open a tab for %s: %v", name, err)
	}
	if !javascript {
		u.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
	}
	return u
}

// do runs steps within actionTimeout, or fails the test with a screenshot.
func (u *user) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		u.fail(what, err)
	}
}

// get runs one action that returns a value, like user.do.
func get[T any](u *user, what string, action chromedp.Action[T]) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		u.fail(what, err)
	}
	return v
}

// navigate runs steps that load a page (a link, a form) and checks the page's status.
func (u *user) navigate(what string, wantStatus int, steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		u.fail(what, err)
	}
	if int(resp.Status) != wantStatus {
		u.fail(what, fmt.Errorf("%s answered %d %s, want %d", resp.URL, resp.Status, resp.StatusText, wantStatus))
	}
}

// open types a path of the app into the address bar.
func (u *user) open(path string, wantStatus int) {
	u.t.Helper()
	u.navigate("open "+path, wantStatus, chromedp.Navigate(u.stage.app.URL+path))
}

// fail takes a screenshot of what the user sees, then stops the test.
func (u *user) fail(what string, err error) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, actionTimeout)
	defer cancel()
	location, _ := chromedp.Run(ctx, chromedp.Location())
	if png, shotErr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); shotErr == nil {
		path := filepath.Join(u.stage.dir, "failure-"+u.name+".png")
		if os.WriteFile(path, png, 0o644) == nil {
			u.t.Logf("screenshot of the failure: %s", path)
		}
	}
	u.t.Fatalf("%s: %s (at %s): %v", u.name, what, location, err)
}

// screenshot saves a full-page PNG of this step in the stage's directory.
func (u *user) screenshot(step string) {
	u.t.Helper()
	png := get(u, "screenshot "+step, chromedp.FullScreenshot(100))
	n := u.stage.shots.Add(1)
	name := fmt.Sprintf("%02d-%s-%s.png", n, u.name, step)
	if err := os.WriteFile(filepath.Join(u.stage.dir, name), png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// text is the visible text of the first element sel matches, trimmed.
func (u *user) text(sel chromedp.Search) string {
	u.t.Helper()
	return strings.TrimSpace(get(u, "read "+string(sel), chromedp.Text(sel)))
}

// count is how many elements match a CSS selector now, without waiting.
func (u *user) count(css string) int {
	u.t.Helper()
	return len(get(u, "count "+css, chromedp.Nodes(chromedp.CSSAll(css), chromedp.AtLeast(0))))
}

// fill replaces what the field labelled label holds with value, typing it.
func (u *user) fill(label, value string) {
	u.t.Helper()
	// Clear fails on an empty <textarea> (it has no text node), which needs no clearing.
	if get(u, "read "+label, chromedp.Value(field(label))) != "" {
		u.do("clear "+label, chromedp.Clear(field(label)))
	}
	u.do("type in "+label, chromedp.SendKeys(field(label), value))
}

// expectFlash waits for the page's one-time message and checks it.
func (u *user) expectFlash(want string) {
	u.t.Helper()
	if got := u.text(chromedp.Search(`//*[@data-testid="flash"]`)); got != want {
		u.fail("read the message", fmt.Errorf("the page says %q, want %q", got, want))
	}
}

// expectText checks the page's text has each of wants.
func (u *user) expectText(wants ...string) {
	u.t.Helper()
	body := u.text("//body")
	for _, want := range wants {
		if !strings.Contains(body, want) {
			u.fail("read the page", fmt.Errorf("%q is not on the page:\n%s", want, body))
		}
	}
}

// style is a computed CSS property of the first element a CSS selector matches.
func (u *user) style(css, property string) string {
	u.t.Helper()
	for _, p := range get(u, "style of "+css, chromedp.ComputedStyle(chromedp.CSS(css))) {
		if p.Name == property {
			return p.Value
		}
	}
	u.fail("style of "+css, fmt.Errorf("no %s", property))
	return ""
}

// logIn signs in through the form and lands on "Your databases".
func (u *user) logIn(email, password string) {
	u.t.Helper()
	u.open("/login", http.StatusOK)
	u.fill("Email", email)
	u.fill("Password", password)
	u.navigate("log in", http.StatusOK, chromedp.Click(button("Log in")))
	u.expectText("Your databases")
}

// Selectors that find things as a person does: by their visible names and labels.
// The names tests use never hold a double quote.

func button(name string) chromedp.Search {
	return chromedp.Search(`//button[normalize-space()="` + name + `"]`)
}

func link(name string) chromedp.Search {
	return chromedp.Search(`//a[normalize-space()="` + name + `"]`)
}

// field is the form control a <label> with this text names.
func field(label string) chromedp.Search {
	return chromedp.Search(`//*[@id=//label[normalize-space()="` + label + `"]/@for]`)
}

// consoleProblems collects what a browser console shows as an error or a warning:
// script errors, exceptions, Content-Security-Policy violations, failed assets.
type consoleProblems struct {
	mu       sync.Mutex
	problems []string
}

// listen runs in the tab's event loop: it must be quick and send no command.
func (c *consoleProblems) listen(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			problem = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		problem = fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, d.Text)
		if d.Exception != nil {
			problem += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		if (e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning) && !expectedHTTPError(e) {
			problem = fmt.Sprintf("%s %s: %s (%s)", e.Source, e.Level, e.Text, e.URL)
		}
	}
	if problem != "" {
		c.mu.Lock()
		c.problems = append(c.problems, problem)
		c.mu.Unlock()
	}
}

// expectedHTTPError is the log line Chromium writes for a page answered with a 4xx
// status: the tests ask for these pages (404 to a stranger, 422 for a form with errors,
// 410 for a used link) and check their status themselves. A failed asset or icon, which
// the browser asks for on its own, is not one.
func expectedHTTPError(e *log.Entry) bool {
	return e.Source == log.EntrySourceNetwork &&
		strings.Contains(e.Text, "the server responded with a status of 4") &&
		!strings.Contains(e.URL, "/static/") && !strings.HasSuffix(e.URL, "/favicon.ico")
}

func (c *consoleProblems) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.problems...)
}
