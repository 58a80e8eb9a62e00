package handlers_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"dbcollab/handlers"
	"dbcollab/internal/teststore"
	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
)

// password is every seeded account's password.
const password = "correct-horse-battery"

// dbName is the seeded database, owned by the owner.
const dbName = "orders-db"

func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// harness is a dashboard on a fresh store behind a real HTTP server, seeded with
// one database and one person in each role.
type harness struct {
	t      *testing.T
	svc    *service.Service
	store  *store.Store
	server *handlers.Server
	url    string
	// dsn is where the store is (internal/teststore), for tests that read every table.
	dsn string

	db store.Database
	// owner owns db; collaborator accepted an invitation to it; invitee was invited and
	// has an account but has not accepted; stranger has nothing to do with it.
	owner, collaborator, invitee, stranger store.User
	// inviteeToken is the invitee's invitation link token, as e-mailed.
	inviteeToken string
}

type harnessOption func(*handlers.Server)

// secure serves the dashboard as if behind https.
func secure(s *handlers.Server) {
	s.Secure = true
	s.Sessions.Options.Secure = true
}

func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	st, dsn := teststore.Open(t)
	svc := &service.Service{Store: st, PasswordCost: bcrypt.MinCost}
	srv := &handlers.Server{
		Service:  svc,
		Sessions: handlers.NewSessionStore(randomKey(t), randomKey(t), false),
		Log:      slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, opt := range opts {
		opt(srv)
	}
	ts := httptest.NewServer(srv.Routes())
	t.Cleanup(ts.Close)
	svc.BaseURL = ts.URL

	h := &harness{t: t, svc: svc, store: st, server: srv, url: ts.URL, dsn: dsn}
	h.seed()
	return h
}

// in returns the harness reporting to t, for a subtest.
func (h *harness) in(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

func (h *harness) seed() {
	h.owner = h.signup("olivia@example.com", "olivia")
	h.collaborator = h.signup("carl@example.com", "carl")
	h.invitee = h.signup("pia@example.com", "pia")
	h.stranger = h.signup("sam@example.com", "sam")

	db, err := h.svc.CreateDatabase(context.Background(), h.owner.ID, newDatabase(dbName))
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.invite(h.owner, h.collaborator.Email)
	if _, err := h.svc.AcceptInvitation(context.Background(), h.collaborator.ID, h.invitationToken(h.collaborator.Email)); err != nil {
		h.t.Fatal(err)
	}
	h.invite(h.owner, h.invitee.Email)
	h.inviteeToken = h.invitationToken(h.invitee.Email)
}

func (h *harness) signup(email, username string) store.User {
	h.t.Helper()
	u, err := h.svc.Signup(context.Background(), service.SignupInput{Email: email, Username: username, Password: password})
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// invite has inviter invite email to the seeded database, through the rules, and
// returns the new row.
func (h *harness) invite(inviter store.User, email string) store.Collaborator {
	h.t.Helper()
	_, m, err := h.svc.Invite(context.Background(), inviter.ID, dbName, email)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// rows returns the seeded database's live collaborator rows, as stored.
func (h *harness) rows() []store.Collaborator {
	h.t.Helper()
	rows, err := h.store.Collaborators(context.Background(), h.db.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

// row returns the live row of email on the seeded database, and whether there is one.
func (h *harness) row(email string) (store.Collaborator, bool) {
	m, err := h.store.LiveCollaboratorByEmail(context.Background(), h.db.ID, email)
	if errors.Is(err, store.ErrNotFound) {
		return store.Collaborator{}, false
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return m, true
}

// takeEmails empties the outbox as a sender would and returns what it held, oldest first.
func (h *harness) takeEmails() []store.Email {
	h.t.Helper()
	ctx := context.Background()
	var sent []store.Email
	for {
		e, err := h.store.NextDueEmail(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return sent
		}
		if err != nil {
			h.t.Fatal(err)
		}
		if err := h.store.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, e.ID, e.CreatedAt) }); err != nil {
			h.t.Fatal(err)
		}
		sent = append(sent, e)
	}
}

var invitationLink = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]{43})\b`)

// invitationToken reads the outbox and returns the token of the link e-mailed to email.
func (h *harness) invitationToken(email string) string {
	h.t.Helper()
	var token string
	for _, e := range h.takeEmails() {
		if e.To != email {
			continue
		}
		m := invitationLink.FindStringSubmatch(e.Text)
		if m == nil {
			h.t.Fatalf("the invitation e-mail to %s has no link:\n%s", email, e.Text)
		}
		token = m[1]
	}
	if token == "" {
		h.t.Fatalf("no invitation e-mail to %s in the outbox", email)
	}
	return token
}

// collaboratorsPath is the seeded database's Collaborators tab.
func (h *harness) collaboratorsPath() string { return links.Collaborators(dbName) }

// revokePath is the confirmation page (GET) and action (POST) revoking row m.
func (h *harness) revokePath(m store.Collaborator) string {
	return links.Revoke(dbName, m.ID)
}

// actor is one browser: its own cookie jar, and redirects are not followed so that
// each 303 and its Location can be checked.
type actor struct {
	h      *harness
	client *http.Client
}

func (h *harness) anonymous() *actor {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return &actor{h: h, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn returns a browser that logged in as u through the log-in form.
func (h *harness) signedIn(u store.User) *actor {
	h.t.Helper()
	a := h.anonymous()
	a.login(u.Email, password).expectRedirect("/")
	return a
}

func (a *actor) login(email, pw string) *response {
	a.h.t.Helper()
	return a.submit("/login", "/login", url.Values{"email": {email}, "password": {pw}})
}

func (a *actor) get(path string) *response {
	a.h.t.Helper()
	return a.do(http.MethodGet, path, nil, nil)
}

// post sends form as it is: no CSRF token is added.
func (a *actor) post(path string, form url.Values, header http.Header) *response {
	a.h.t.Helper()
	return a.do(http.MethodPost, path, form, header)
}

// submit GETs pagePath, takes the CSRF token of its form that posts to action, and
// posts values with it (the token path: no Sec-Fetch-Site header).
func (a *actor) submit(pagePath, action string, values url.Values) *response {
	a.h.t.Helper()
	page := a.get(pagePath).expectStatus(http.StatusOK)
	form := page.doc.Find(`form[action="` + action + `"]`)
	// A row's item submits the page's #row-action form to its URL, relative to the tab.
	page.doc.Find(`button[formaction]`).Each(func(_ int, b *goquery.Selection) {
		if id, _ := b.Attr("form"); form.Length() == 0 && a.h.fromTab(b.AttrOr("formaction", "")) == action {
			form = page.doc.Find("form#" + id)
		}
	})
	if form.Length() == 0 {
		a.h.t.Fatalf("GET %s: no form posts to %s", pagePath, action)
	}
	return a.postWithToken(action, values, csrfToken(a.h.t, form))
}

// postWithToken posts values to action with the CSRF token, on the token path.
func (a *actor) postWithToken(action string, values url.Values, token string) *response {
	a.h.t.Helper()
	form := url.Values{"_csrf": {token}}
	for k, v := range values {
		form[k] = v
	}
	return a.post(action, form, nil)
}

// token returns a CSRF token from a page this actor may see: the home page once signed
// in (its Log out form), the log-in page otherwise.
func (a *actor) token() string {
	a.h.t.Helper()
	r := a.get("/")
	if r.status == http.StatusSeeOther {
		r = a.get("/login")
	}
	return csrfToken(a.h.t, r.expectStatus(http.StatusOK).doc.Selection)
}

func csrfToken(t *testing.T, in *goquery.Selection) string {
	t.Helper()
	token, ok := in.Find(`input[type=hidden][name=_csrf]`).First().Attr("value")
	if !ok || token == "" {
		t.Fatal("no CSRF token in the form")
	}
	return token
}

func (a *actor) do(method, path string, form url.Values, header http.Header) *response {
	t := a.h.t
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, a.h.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return a.send(req)
}

// send sends req from this browser and reads the whole answer; any 5xx fails the test.
func (a *actor) send(req *http.Request) *response {
	t := a.h.t
	t.Helper()
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	what := req.Method + " " + req.URL.RequestURI()
	if res.StatusCode >= 500 {
		t.Errorf("%s: %d\n%s", what, res.StatusCode, raw)
	}
	r := &response{t: t, what: what, status: res.StatusCode, header: res.Header, cookies: res.Cookies(), body: string(raw)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if r.doc, err = goquery.NewDocumentFromReader(strings.NewReader(r.body)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// cookie returns the value of the named cookie this actor would send to the dashboard.
func (a *actor) cookie(name string) string {
	u, err := url.Parse(a.h.url)
	if err != nil {
		a.h.t.Fatal(err)
	}
	for _, c := range a.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// response is one answer, its HTML parsed.
type response struct {
	t       *testing.T
	what    string
	status  int
	header  http.Header
	cookies []*http.Cookie
	body    string
	doc     *goquery.Document
}

func (r *response) expectStatus(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d\n%s", r.what, r.status, status, r.body)
	}
	if r.doc == nil && status != http.StatusSeeOther {
		r.t.Fatalf("%s: not an HTML page (Content-Type %q)", r.what, r.header.Get("Content-Type"))
	}
	return r
}

// expectRedirect checks the answer is a 303 to location.
func (r *response) expectRedirect(location string) *response {
	r.t.Helper()
	if r.status != http.StatusSeeOther || r.header.Get("Location") != location {
		r.t.Fatalf("%s: %d to %q, want 303 to %q\n%s", r.what, r.status, r.header.Get("Location"), location, r.body)
	}
	return r
}

// text returns the text of what selector matches, with whitespace collapsed.
func (r *response) text(selector string) string {
	r.t.Helper()
	if r.doc == nil {
		r.t.Fatalf("%s: not an HTML page", r.what)
	}
	return textOf(r.doc.Find(selector))
}

func textOf(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// flash is the one-time message at the top of the page.
func (r *response) flash() string { return r.text(`[data-testid=flash]`) }

// expectField checks that the input labelled label exists and has the value value.
func (r *response) expectField(label, value string) *goquery.Selection {
	r.t.Helper()
	input := r.field(label)
	got, _ := input.Attr("value")
	if input.Is("textarea") {
		got = input.Text()
	}
	if got != value {
		r.t.Errorf("%s: field %q holds %q, want %q", r.what, label, got, value)
	}
	return input
}

// field returns the form control whose <label> reads label.
func (r *response) field(label string) *goquery.Selection {
	r.t.Helper()
	var id string
	r.doc.Find("label").EachWithBreak(func(_ int, l *goquery.Selection) bool {
		if textOf(l) == label {
			id, _ = l.Attr("for")
			return false
		}
		return true
	})
	if id == "" {
		r.t.Fatalf("%s: no label %q", r.what, label)
	}
	control := r.doc.Find("#" + id)
	if control.Length() != 1 {
		r.t.Fatalf("%s: label %q is for #%s, which matches %d elements", r.what, label, id, control.Length())
	}
	return control
}

// expectFieldError checks that the field named name shows message next to it, linked
// for assistive technology.
func (r *response) expectFieldError(label, name, message string) {
	r.t.Helper()
	input := r.field(label)
	errID := name + "-error"
	if got := r.text("#" + errID); got != message {
		r.t.Errorf("%s: error next to %q is %q, want %q", r.what, label, got, message)
	}
	if got, _ := input.Attr("aria-describedby"); !slices.Contains(strings.Fields(got), errID) {
		r.t.Errorf("%s: %q has aria-describedby %q, want it to name %q", r.what, label, got, errID)
	}
	if got, _ := input.Attr("aria-invalid"); got != "true" {
		r.t.Errorf("%s: %q has aria-invalid %q, want true", r.what, label, got)
	}
}

// expectButton checks the page has a submit button reading label.
func (r *response) expectButton(label string) *goquery.Selection {
	r.t.Helper()
	b := r.button(label)
	if b.Length() == 0 {
		r.t.Fatalf("%s: no button %q", r.what, label)
	}
	return b
}

func (r *response) button(label string) *goquery.Selection {
	return r.doc.Find("button").FilterFunction(func(_ int, b *goquery.Selection) bool { return textOf(b) == label })
}

// link returns the links reading label.
func (r *response) link(label string) *goquery.Selection {
	return r.doc.Find("a").FilterFunction(func(_ int, a *goquery.Selection) bool { return textOf(a) == label })
}

// testLog sends the server's log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func randomKey(t *testing.T) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newDatabase(name string) service.NewDatabaseInput {
	return service.NewDatabaseInput{Name: name, Plan: service.Plans[0].ID}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
