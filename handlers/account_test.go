package handlers

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/service"
)

// accountBrowser is a cookie-keeping client of the dashboard that does not follow
// redirects, so that each answer can be checked.
type accountBrowser struct {
	t      *testing.T
	url    string
	client *http.Client
}

func newAccountBrowser(t *testing.T, baseURL string) *accountBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &accountBrowser{t: t, url: baseURL, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// accountPage is a dashboard answer, parsed.
type accountPage struct {
	status   int
	location string
	doc      *goquery.Document
}

func (b *accountBrowser) do(req *http.Request) accountPage {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return accountPage{status: resp.StatusCode, location: resp.Header.Get("Location"), doc: doc}
}

func (b *accountBrowser) get(path string) accountPage {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.url+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends form as a Go client does: no Sec-Fetch-Site, so CSRF is judged by the
// _csrf field, which the caller includes or not.
func (b *accountBrowser) post(path string, form url.Values) accountPage {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submit posts the form of page p whose action is action, with values and the form's
// CSRF token.
func (b *accountBrowser) submit(p accountPage, action string, values url.Values) accountPage {
	b.t.Helper()
	form := p.doc.Find(`form[action="` + action + `"]`)
	if form.Length() != 1 {
		b.t.Fatalf("%d forms post to %s, want 1", form.Length(), action)
	}
	token, ok := form.Find(`input[name=_csrf]`).Attr("value")
	if !ok || token == "" {
		b.t.Fatalf("the form posting to %s has no CSRF token", action)
	}
	if values == nil {
		values = url.Values{}
	}
	values.Set("_csrf", token)
	return b.post(action, values)
}

func (b *accountBrowser) logIn(email string) {
	b.t.Helper()
	b.submit(b.get("/login"), "/login", url.Values{"email": {email}, "password": {service.DemoPassword}}).
		expectRedirect(b.t, "/")
}

func (p accountPage) expectStatus(t *testing.T, status int) accountPage {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; page says: %s", p.status, status, textOf(p.doc.Find("main")))
	}
	return p
}

func (p accountPage) expectRedirect(t *testing.T, location string) {
	t.Helper()
	if p.status != http.StatusSeeOther || p.location != location {
		t.Fatalf("answer %d to %q, want 303 to %q", p.status, p.location, location)
	}
}

func (p accountPage) text(selector string) string { return textOf(p.doc.Find(selector)) }

func textOf(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// tokenRows lists the API tokens table as "name | created | last used" lines.
func (p accountPage) tokenRows() []string {
	var rows []string
	p.doc.Find(`[data-testid=api-token-row]`).Each(func(_ int, row *goquery.Selection) {
		var cells []string
		row.Find("td").Slice(0, 3).Each(func(_ int, td *goquery.Selection) { cells = append(cells, textOf(td)) })
		rows = append(rows, strings.Join(cells, " | "))
	})
	return rows
}

func TestAccountPageIsLinkedFromTheTopBar(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user4@example.com")
	link := b.get("/").expectStatus(t, http.StatusOK).doc.Find(`header [data-testid=account-link]`)
	if href, _ := link.Attr("href"); href != "/account" || textOf(link) != "Account" {
		t.Fatalf("top bar link %q to %q, want Account to /account", textOf(link), href)
	}
	page := b.get("/account").expectStatus(t, http.StatusOK)
	if got := page.text("h1"); got != "Account" {
		t.Fatalf("heading %q", got)
	}
	if got := page.text(`[data-testid=api-tokens-section] h2`); got != "API tokens" {
		t.Fatalf("section heading %q, want API tokens", got)
	}
	if got := page.text(`[data-testid=account]`); got != "Signed in as user4 (user4@example.com)" {
		t.Fatalf("account line %q", got)
	}
}

func TestAccountPageNeedsSignIn(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.get("/account").expectRedirect(t, "/login")
	b.post("/account/tokens", url.Values{"name": {"x"}}).expectStatus(t, http.StatusBadRequest)
}

func TestAccountPageListsTokensWithCreationAndLastUse(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")
	want := []string{"test | 14 Mar 2025 09:26 UTC | Never"}
	if got := b.get("/account").tokenRows(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("tokens %q, want %q", got, want)
	}
	w.get("/v1/databases", w.auth["owner"]).expect(t, http.StatusOK)
	want = []string{"test | 14 Mar 2025 09:26 UTC | 14 Mar 2025 09:26 UTC"}
	if got := b.get("/account").tokenRows(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after use, tokens %q, want %q", got, want)
	}
}

// The official scalingo client uses its API token only through the exchange, at the
// start of every command: that is a use too.
func TestAccountPageLastUseCountsTheAccessTokenExchange(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")
	w.exchange(t, "owner")
	want := []string{"test | 14 Mar 2025 09:26 UTC | 14 Mar 2025 09:26 UTC"}
	if got := b.get("/account").tokenRows(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after an exchange, tokens %q, want %q", got, want)
	}
}

// On a narrow screen the tokens table reflows into one block per token, each cell after
// the name labelled with its column's heading.
func TestAccountTokenCellsAreLabelledWhenTheTableReflows(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")
	page := b.get("/account").expectStatus(t, http.StatusOK)
	var headings []string
	page.doc.Find(`table.reflow[data-testid=api-tokens] thead th`).Each(func(_ int, th *goquery.Selection) {
		headings = append(headings, textOf(th.Not(":has(.visually-hidden)")))
	})
	cells := page.doc.Find(`[data-testid=api-token-row] td`)
	if len(headings) < 4 || cells.Length() != len(headings) {
		t.Fatalf("%d headings %q, %d cells in the token's row", len(headings), headings, cells.Length())
	}
	cells.Each(func(i int, td *goquery.Selection) {
		if label, _ := td.Attr("data-label"); i > 0 && headings[i] != "" && label != headings[i] {
			t.Errorf("the %s cell is labelled %q", headings[i], label)
		}
	})
}

func TestAccountNewTokenIsShownOnceAndWorks(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user2@example.com")
	page := b.get("/account")
	if page.doc.Find(`[data-testid=new-token]`).Length() != 0 {
		t.Fatal("a token is shown before any was created")
	}

	b.submit(page, "/account/tokens", url.Values{"name": {"laptop"}}).expectRedirect(t, "/account")
	page = b.get("/account").expectStatus(t, http.StatusOK)
	token := page.text(`[data-testid=new-token-value]`)
	if !strings.HasPrefix(token, "dbcollab_") {
		t.Fatalf("new token shown as %q", token)
	}
	if got := page.tokenRows(); len(got) != 2 || got[0] != "laptop | 14 Mar 2025 09:26 UTC | Never" {
		t.Fatalf("tokens %q, want the new laptop token first", got)
	}
	w.get("/v1/databases/"+w.db.Name, "Bearer "+token).expect(t, http.StatusOK)

	again := b.get("/account")
	if again.doc.Find(`[data-testid=new-token]`).Length() != 0 || strings.Contains(again.doc.Text(), token) {
		t.Fatal("the token is shown a second time")
	}
}

func TestAccountNewTokenNeedsAName(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user2@example.com")
	before := w.stored()
	page := b.submit(b.get("/account"), "/account/tokens", url.Values{"name": {"  "}}).expectStatus(t, http.StatusUnprocessableEntity)
	if got := page.text(`[data-testid=name-error]`); got != "Enter a name for the token" {
		t.Fatalf("name error %q", got)
	}
	if page.doc.Find(`[data-testid=new-token]`).Length() != 0 {
		t.Fatal("a token is shown after a refusal")
	}
	w.expectNothingStored(t, before)
}

func TestAccountRevokedTokenStopsWorking(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")
	page := b.get("/account")
	action, _ := page.doc.Find(`[data-testid=api-token-row][data-name=test] form`).Attr("action")
	if button := textOf(page.doc.Find(`[data-testid=api-token-row][data-name=test] button`)); button != "Revoke" {
		t.Fatalf("row button %q, want Revoke", button)
	}

	b.submit(page, action, nil).expectRedirect(t, "/account")
	page = b.get("/account")
	if got := page.text(`[data-testid=flash]`); got != "The API token “test” has been revoked: it no longer works." {
		t.Fatalf("flash %q", got)
	}
	if rows := page.tokenRows(); len(rows) != 0 {
		t.Fatalf("revoked token still listed: %q", rows)
	}
	if got := page.text(`[data-testid=no-api-tokens]`); got != "You have no API token." {
		t.Fatalf("empty list says %q", got)
	}
	w.get("/v1/databases", w.auth["owner"]).expectError(t, http.StatusUnauthorized, "Invalid API token: it does not exist, has expired or has been revoked")
}

func TestAccountCannotRevokeSomeoneElsesToken(t *testing.T) {
	w := newAPIWorld(t)
	owner := newAccountBrowser(t, w.url)
	owner.logIn("user1@example.com")
	action, _ := owner.get("/account").doc.Find(`[data-testid=api-token-row] form`).Attr("action")

	stranger := newAccountBrowser(t, w.url)
	stranger.logIn("user4@example.com")
	page := stranger.get("/account")
	token, _ := page.doc.Find(`input[name=_csrf]`).Attr("value")
	stranger.post(action, url.Values{"_csrf": {token}}).expectStatus(t, http.StatusNotFound)
	w.get("/v1/databases", w.auth["owner"]).expect(t, http.StatusOK)
}

func TestAccountFormsNeedTheCSRFToken(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")
	before := w.stored()
	action, _ := b.get("/account").doc.Find(`[data-testid=api-token-row] form`).Attr("action")
	b.post("/account/tokens", url.Values{"name": {"forged"}}).expectStatus(t, http.StatusBadRequest)
	b.post(action, url.Values{"_csrf": {"forged"}}).expectStatus(t, http.StatusForbidden)
	w.expectNothingStored(t, before)
}

// expiresCells lists the Expires column of the API tokens table, newest token first.
func (p accountPage) expiresCells() []string {
	var cells []string
	p.doc.Find(`[data-testid=api-token-expires]`).Each(func(_ int, td *goquery.Selection) { cells = append(cells, textOf(td)) })
	return cells
}

func TestAccountTokenExpiryIsChosenAndListed(t *testing.T) {
	var now atomic.Pointer[time.Time]
	now.Store(&apiClock)
	// The browser stays signed in across the 90 days the clock jumps.
	w := newAPIWorld(t, func(s *service.Service) {
		s.Now, s.SessionTTL = func() time.Time { return *now.Load() }, 365*24*time.Hour
	})
	b := newAccountBrowser(t, w.url)
	b.logIn("user1@example.com")
	page := b.get("/account")
	var offered []string
	page.doc.Find(`select[name=expires_in_days] option`).Each(func(_ int, o *goquery.Selection) {
		value, _ := o.Attr("value")
		offered = append(offered, value+"="+textOf(o))
	})
	if want := "0=Never 30=30 days 90=90 days 365=1 year"; strings.Join(offered, " ") != want {
		t.Fatalf("expiries offered %q, want %q", offered, want)
	}
	if label := textOf(page.doc.Find(`label[for=expires_in_days]`)); label != "Expires" {
		t.Fatalf("the select is labelled %q", label)
	}

	b.submit(page, "/account/tokens", url.Values{"name": {"ci"}, "expires_in_days": {"90"}}).expectRedirect(t, "/account")
	page = b.get("/account")
	token := page.text(`[data-testid=new-token-value]`)
	if got, want := page.expiresCells(), []string{"12 Jun 2025 09:26 UTC", "Never"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Expires column %q, want %q", got, want)
	}
	if th := textOf(page.doc.Find(`[data-testid=api-tokens] th`).Eq(3)); th != "Expires" {
		t.Fatalf("fourth column is %q, want Expires", th)
	}
	w.get("/v1/databases", "Bearer "+token).expect(t, http.StatusOK)

	later := apiClock.AddDate(0, 0, 90)
	now.Store(&later)
	w.get("/v1/databases", "Bearer "+token).expect(t, http.StatusUnauthorized)
	page = b.get("/account")
	if got, want := page.expiresCells(), []string{"Expired 12 Jun 2025 09:26 UTC", "Never"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after expiry, Expires column %q, want %q", got, want)
	}
	if got := page.tokenRows()[0]; got != "ci | 14 Mar 2025 09:26 UTC | 14 Mar 2025 09:26 UTC" {
		t.Fatalf("row %q: the refused request was recorded as a use", got)
	}
}

func TestAccountTokenExpiryNotOfferedIsRefused(t *testing.T) {
	w := newAPIWorld(t)
	b := newAccountBrowser(t, w.url)
	b.logIn("user2@example.com")
	before := w.stored()
	page := b.submit(b.get("/account"), "/account/tokens", url.Values{"name": {"laptop"}, "expires_in_days": {"1000"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	if got := page.text(`[data-testid=expires_in_days-error]`); got != "A token expires after 1 to 365 days, or never (0)" {
		t.Fatalf("expiry error %q", got)
	}
	if v, _ := page.doc.Find(`input[name=name]`).Attr("value"); v != "laptop" {
		t.Fatalf("the name typed is not kept: %q", v)
	}
	if v, _ := page.doc.Find(`select[name=expires_in_days]`).Attr("aria-invalid"); v != "true" {
		t.Fatalf("the select is not marked invalid: %q", v)
	}
	w.expectNothingStored(t, before)

	page = b.submit(b.get("/account"), "/account/tokens", url.Values{"name": {" "}, "expires_in_days": {"30"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	if _, selected := page.doc.Find(`select[name=expires_in_days] option[value="30"]`).Attr("selected"); !selected {
		t.Fatal("the expiry chosen is not kept when the name is refused")
	}
}
