package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/handlers"
	"dbcollab/internal/testkit"
	"dbcollab/internal/teststore"
	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/static"
	"dbcollab/store"
	"dbcollab/store/storetest"
)

// tabPassword is the password of the tab fixture's owner.
const tabPassword = "tab-fixture-password"

// tabFixture is the dashboard, called in process, over a fresh store holding one
// database, its owner and generated collaborators; with the owner's signed-in cookies.
type tabFixture struct {
	routes  http.Handler
	server  *handlers.Server
	svc     *service.Service
	store   *store.Store
	db      store.Database
	owner   store.User
	cookies []*http.Cookie
}

func newTabFixture(tb testing.TB, rows int) *tabFixture {
	tb.Helper()
	ctx := context.Background()
	st, _ := teststore.Open(tb)
	svc := &service.Service{Store: st, BaseURL: "http://dbcollab.test", PasswordCost: bcrypt.MinCost}
	srv := &handlers.Server{Service: svc, Log: slog.New(slog.DiscardHandler),
		Sessions: handlers.NewSessionStore([]byte(strings.Repeat("h", 32)), []byte(strings.Repeat("b", 32)), false)}
	f := &tabFixture{routes: srv.Routes(), server: srv, svc: svc, store: st}
	var err error
	if f.owner, err = svc.Signup(ctx, service.SignupInput{Email: "owner@example.com", Username: "owner", Password: tabPassword}); err != nil {
		tb.Fatal(err)
	}
	if f.db, err = svc.CreateDatabase(ctx, f.owner.ID, newDatabase("tab-db")); err != nil {
		tb.Fatal(err)
	}
	f.addRows(tb, "first", rows)
	f.signIn(tb)
	return f
}

// addRows gives the database n more generated collaborators.
func (f *tabFixture) addRows(tb testing.TB, prefix string, n int) {
	tb.Helper()
	if err := storetest.AddCollaborators(context.Background(), f.store, f.db, prefix, n); err != nil {
		tb.Fatal(err)
	}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn logs the owner in through the log-in form, on the token path, and keeps the
// cookies a browser would.
func (f *tabFixture) signIn(tb testing.TB) {
	tb.Helper()
	form := f.serve(httptest.NewRequest(http.MethodGet, "/login", nil))
	token := csrfInput.FindStringSubmatch(form.Body.String())
	if form.Code != http.StatusOK || token == nil {
		tb.Fatalf("GET /login: %d, no CSRF token", form.Code)
	}
	values := url.Values{"email": {f.owner.Email}, "password": {tabPassword}, "_csrf": {token[1]}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range form.Result().Cookies() {
		req.AddCookie(c)
	}
	done := f.serve(req)
	if done.Code != http.StatusSeeOther {
		tb.Fatalf("POST /login: %d\n%s", done.Code, done.Body)
	}
	// As a cookie jar would: the log-in's session cookie replaces the form's.
	f.cookies = done.Result().Cookies()
	for _, c := range form.Result().Cookies() {
		if !slices.ContainsFunc(f.cookies, func(d *http.Cookie) bool { return d.Name == c.Name }) {
			f.cookies = append(f.cookies, c)
		}
	}
}

// tabPath is the Collaborators tab of the fixture's database.
func (f *tabFixture) tabPath() string { return links.Collaborators(f.db.Name) }

// browserGet is a GET as the signed-in browser sends it: cookies, Sec-Fetch-Site, gzip.
func (f *tabFixture) browserGet(ctx context.Context, path string) *http.Request {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	for _, c := range f.cookies {
		req.AddCookie(c)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	return req
}

func (f *tabFixture) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.routes.ServeHTTP(rec, req)
	return rec
}

// discardWriter is a ResponseWriter that keeps only the status and the size, so that
// benchmarks measure the server rather than a recorder.
type discardWriter struct {
	header http.Header
	status int
	size   int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(status int) { w.status = status }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.size += len(p)
	return len(p), nil
}

// benchGet serves GET path as the signed-in browser b.N times, expecting a 200.
func (f *tabFixture) benchGet(b *testing.B, path string) {
	f.benchGetAfter(b, path, func() {})
}

// benchGetAfter is benchGet, running before ahead of each request.
func (f *tabFixture) benchGetAfter(b *testing.B, path string, before func()) {
	ctx := context.Background()
	w := &discardWriter{header: http.Header{}}
	testkit.Loop(b, func() {
		before()
		clear(w.header)
		w.status, w.size = 0, 0
		f.routes.ServeHTTP(w, f.browserGet(ctx, path))
		if w.status != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.status)
		}
	})
	b.ReportMetric(float64(w.size), "bytes/page")
}

// BenchmarkCollaboratorsTab is a signed-in page view of the tab, from the request to the
// compressed bytes, middleware included: as viewed again (from the cache of finished
// tabs), and made afresh (the cache emptied before each view).
func BenchmarkCollaboratorsTab(b *testing.B) {
	for _, rows := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("rows=%d/cached", rows), func(b *testing.B) {
			f := newTabFixture(b, rows)
			f.benchGet(b, f.tabPath())
		})
		b.Run(fmt.Sprintf("rows=%d/afresh", rows), func(b *testing.B) {
			f := newTabFixture(b, rows)
			f.benchGetAfter(b, f.tabPath(), func() {
				f.server.DropCachedTabs() // so that the view is made afresh
			})
		})
	}
}

// BenchmarkCollaboratorsTabFirstPage is the first page of the tab of a 3-row database,
// a 50-row one (a full page) and a 10,000-row one (50 rows shown, "1–50 of 10,000"),
// afresh and as viewed again (README, Performance).
func BenchmarkCollaboratorsTabFirstPage(b *testing.B) {
	for _, rows := range []int{3, 50, 10000} {
		f := newTabFixture(b, rows-1) // and the owner's row
		b.Run(fmt.Sprintf("rows=%d/afresh", rows), func(b *testing.B) {
			f.benchGetAfter(b, f.tabPath(), func() {
				f.server.DropCachedTabs() // so that the view is made afresh
			})
		})
		b.Run(fmt.Sprintf("rows=%d/cached", rows), func(b *testing.B) {
			f.benchGet(b, f.tabPath())
		})
	}
}

// BenchmarkStylesheet is the same request for the stylesheet: the static file the tab
// is compared with.
func BenchmarkStylesheet(b *testing.B) {
	f := newTabFixture(b, 0)
	f.benchGet(b, static.URL("app.css"))
}

// BenchmarkAPIInvite invites a new address through the JSON API, as the load tool does.
func BenchmarkAPIInvite(b *testing.B) {
	f := newTabFixture(b, 0)
	token, _, err := f.svc.CreateAPIToken(context.Background(), f.owner.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	f.svc.InviteLimit = 0
	path := "/v1/databases/" + f.db.Name + "/collaborators"
	w := &discardWriter{header: http.Header{}}
	n := 0
	testkit.Loop(b, func() {
		n++
		body := fmt.Sprintf(`{"collaborator":{"email":"api-%d@example.com"}}`, n)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		clear(w.header)
		w.status = 0
		f.routes.ServeHTTP(w, req)
		if w.status != http.StatusCreated {
			b.Fatalf("POST %s: %d", path, w.status)
		}
	})
}
