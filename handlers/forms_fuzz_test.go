package handlers_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/handlers"
	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/store"
)

// inProcess is the dashboard called in process, without a network in between, so that
// a fuzzer gets thousands of requests a second: a fresh store with an owner, their
// database, their signed-in browser's cookies, an API token and the access token it
// exchanges for.
type inProcess struct {
	*rowChecker
	routes  http.Handler
	svc     *service.Service
	owner   store.User
	cookies []*http.Cookie
	// auth and access are Authorization headers: the API token, the access token.
	auth, access string
}

const inProcessDB = "fuzz-db"

func newInProcess(tb testing.TB, passwordCost int) *inProcess {
	tb.Helper()
	ctx := context.Background()
	st, dsn := teststore.Open(tb)
	svc := &service.Service{Store: st, BaseURL: "http://dbcollab.test", PasswordCost: passwordCost}
	srv := &handlers.Server{Service: svc, Log: slog.New(slog.DiscardHandler),
		Sessions: handlers.NewSessionStore([]byte(strings.Repeat("h", 32)), []byte(strings.Repeat("b", 32)), false)}
	p := &inProcess{rowChecker: newRowChecker(teststore.SQL(tb, dsn)), routes: srv.Routes(), svc: svc}
	var err error
	if p.owner, err = svc.Signup(ctx, service.SignupInput{Email: "owner@example.com", Username: "owner", Password: password}); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.CreateDatabase(ctx, p.owner.ID, newDatabase(inProcessDB)); err != nil {
		tb.Fatal(err)
	}
	token, _, err := svc.CreateAPIToken(ctx, p.owner.ID, "fuzz")
	if err != nil {
		tb.Fatal(err)
	}
	p.auth = "Bearer " + token
	access, err := svc.ExchangeAPIToken(ctx, token)
	if err != nil {
		tb.Fatal(err)
	}
	p.access = "Bearer " + access
	login := p.serve(p.request(http.MethodPost, "/login", "application/x-www-form-urlencoded",
		"email=owner%40example.com&password="+password, false))
	if login.Code != http.StatusSeeOther {
		tb.Fatalf("POST /login: %d", login.Code)
	}
	p.cookies = login.Result().Cookies()
	return p
}

// request is a browser's same-origin request (the Sec-Fetch-Site path of the CSRF
// check), with the owner's cookies when signedIn.
func (p *inProcess) request(method, path, contentType, body string, signedIn bool) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if signedIn {
		for _, c := range p.cookies {
			req.AddCookie(c)
		}
	}
	return req
}

func (p *inProcess) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	p.routes.ServeHTTP(rec, req)
	return rec
}

// formPosts are the forms a fuzzer posts to, and whether they need the signed-in owner.
var formPosts = []struct {
	path     string
	signedIn bool
}{
	{"/signup", false},
	{"/login", false},
	{"/databases", true},
	{"/databases/" + inProcessDB + "/settings/collaborators", true},
	{"/account/tokens", true},
	{"/password/forgot", false},
	{"/account/password", true},
	{"/account/email", true},
}

// FuzzFormPosts posts arbitrary form bodies to the sign-up, log-in, new database,
// invite, new API token, forgotten password, change password and change e-mail forms. Whatever the body: no 5xx, every page carries the
// security headers and no markup the body brought in, and whatever got stored is
// valid. Seeds are in testdata/fuzz/FuzzFormPosts.
func FuzzFormPosts(f *testing.F) {
	for i := range formPosts {
		f.Add(uint8(i), "email=new%40example.com&username=newbie&password=correct-horse-battery&name=new-db&plan=postgresql-dr-starter-4096")
	}
	p := newInProcess(f, 4)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		form := formPosts[int(which)%len(formPosts)]
		rec := p.serve(p.request(http.MethodPost, form.path, "application/x-www-form-urlencoded", body, form.signedIn))
		expectSafeAnswer(t, "POST "+form.path, rec)
		p.expectValidRows(t)
	})
}

// expectSafeAnswer checks an answer to hostile input: no 5xx, the security headers,
// and if it is a page, nothing in it that could run: the server's own script only.
func expectSafeAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d\n%s", what, rec.Code, rec.Body)
	}
	r := &response{t: t, what: what, status: rec.Code, header: rec.Header(), cookies: rec.Result().Cookies(), body: rec.Body.String()}
	expectSecurityHeaders(t, what, r)
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		return
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	expectNoInjectedMarkup(t, what, doc)
}

// expectNoInjectedMarkup fails for any script but the server's own, any inline style,
// event handler or javascript: URL: what typed markup would bring if not escaped.
func expectNoInjectedMarkup(t *testing.T, what string, doc *goquery.Document) {
	t.Helper()
	if n := doc.Find("script:not([src^='/static/']), style, iframe, object, embed, base, meta[http-equiv]").Length(); n > 0 {
		t.Fatalf("%s: %d injected elements", what, n)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" || strings.HasPrefix(v, "javascript:") {
				t.Fatalf("%s: <%s %s=%q>", what, goquery.NodeName(s), a.Key, a.Val)
			}
		}
	})
}

var (
	usernamePattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$`)
	databaseNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{2,62}$`)
)

// rowChecker checks what the store holds, row by row, each row once.
type rowChecker struct {
	sql *sql.DB
	// seen is, by table, the last row already checked.
	seen map[string]int64
}

func newRowChecker(db *sql.DB) *rowChecker { return &rowChecker{sql: db, seen: map[string]int64{}} }

// expectValidRows checks every row stored since the last call: each address is stored
// normalised, each name follows its rule, no text is invalid UTF-8 or carries a
// control character.
func (p *rowChecker) expectValidRows(t *testing.T) {
	t.Helper()
	p.checkRows(t, `SELECT id, email, username FROM users WHERE id > $1 ORDER BY id`, "users", func(v []string) string {
		if !isNormalized(v[0]) {
			return "address not stored normalised"
		}
		if !usernamePattern.MatchString(v[1]) {
			return "invalid username"
		}
		return ""
	})
	p.checkRows(t, `SELECT created_at, name, plan FROM databases WHERE created_at > $1 ORDER BY created_at`, "databases", func(v []string) string {
		if !databaseNamePattern.MatchString(v[0]) {
			return "invalid database name"
		}
		if !slices.ContainsFunc(service.Plans, func(plan service.Plan) bool { return plan.ID == v[1] }) {
			return "unknown plan"
		}
		return ""
	})
	p.checkRows(t, `SELECT id, email FROM collaborators WHERE id > $1 ORDER BY id`, "collaborators", func(v []string) string {
		if !isNormalized(v[0]) {
			return "address not stored normalised"
		}
		return ""
	})
	p.checkRows(t, `SELECT id, name FROM api_tokens WHERE id > $1 ORDER BY id`, "api_tokens", func(v []string) string {
		if name := strings.TrimSpace(v[0]); name != v[0] || name == "" || utf8.RuneCountInString(name) > service.MaxAPITokenNameLength {
			return "token name not trimmed, empty or too long"
		}
		return ""
	})
	// Addresses and subjects are e-mail headers: the control check above covers CR and LF.
	// The queue's other jobs (PostgreSQL access) have neither.
	p.checkRows(t, `SELECT id, to_addr, subject FROM outbox WHERE id > $1 AND kind = 'email' ORDER BY id`, "outbox", func(v []string) string {
		if !isNormalized(v[0]) {
			return "e-mail queued to an address that is not normalised"
		}
		return ""
	})
}

func isNormalized(email string) bool {
	normalized, err := service.NormalizeEmail(email)
	return err == nil && normalized == email
}

// checkRows runs query for the rows of table after the last one checked; invalid
// returns what is wrong with a row's text columns (after the key), or "".
func (p *rowChecker) checkRows(t *testing.T, query, table string, invalid func([]string) string) {
	t.Helper()
	rows, err := p.sql.QueryContext(t.Context(), query, p.seen[table])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		values := make([]string, len(columns)-1)
		dest := []any{&id}
		for i := range values {
			dest = append(dest, &values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		p.seen[table] = id
		for _, v := range values {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, breaksPlainText) {
				t.Fatalf("%s row %d stores %q: invalid UTF-8, or a control or bidirectional character", table, id, values)
			}
		}
		if problem := invalid(values); problem != "" {
			t.Fatalf("%s row %d stores %q: %s", table, id, values, problem)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// breaksPlainText: control characters, line and paragraph separators, bidirectional
// controls; none belongs in a stored name or address.
func breaksPlainText(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control)
}
