package handlers_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"dbcollab/internal/teststore"

	"github.com/labstack/echo/v4"
)

// csrfAttack is a forged request: its headers, the CSRF token it carries and the cookie a
// neighbour planted first.
type csrfAttack struct {
	name   string
	header http.Header
	// token is the _csrf value sent, given the role's own; "" sends none.
	token func(w *matrixWorld, own string) string
	// toss, if set, is a cookie a page on another port of this host planted for the
	// path posted to, so that the browser sends it before its own.
	toss   func(w *matrixWorld) *http.Cookie
	status int
}

// tossedToken is the token the neighbour planted as the old dbcollab_csrf cookie and posts.
var tossedToken = strings.Repeat("A", 32)

func tossedCSRFCookie(*matrixWorld) *http.Cookie {
	return &http.Cookie{Name: "dbcollab_csrf", Value: tossedToken}
}

// tossedSession is the stranger's own session cookie, whose token the stranger knows.
func tossedSession(w *matrixWorld) *http.Cookie {
	return &http.Cookie{Name: "dbcollab_session", Value: w.browsers[stranger].cookie("dbcollab_session")}
}

// aNeighbour is a page on another port of the dashboard's host.
var aNeighbour = http.Header{"Sec-Fetch-Site": {"same-site"}, "Origin": {"http://127.0.0.1:9999"}}

var csrfAttacks = []csrfAttack{
	{
		name:   "cross-site, even with the valid token",
		header: http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}},
		token:  func(_ *matrixWorld, own string) string { return own },
		status: http.StatusForbidden,
	},
	{
		name:   "no Sec-Fetch-Site and no token",
		token:  func(*matrixWorld, string) string { return "" },
		status: http.StatusBadRequest,
	},
	{
		name:   "no Sec-Fetch-Site and a made-up token",
		token:  func(*matrixWorld, string) string { return "not-the-token" },
		status: http.StatusForbidden,
	},
	{
		name:   "no Sec-Fetch-Site and another browser's valid token",
		token:  func(w *matrixWorld, _ string) string { return w.csrf[stranger] },
		status: http.StatusForbidden,
	},
	{
		// A sibling subdomain is not this origin: it must still show the token.
		name:   "same-site and no token",
		header: http.Header{"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://other.example.com"}},
		token:  func(*matrixWorld, string) string { return "" },
		status: http.StatusBadRequest,
	},
	{
		name:   "no Sec-Fetch-Site and a foreign Origin, even with the valid token",
		header: http.Header{"Origin": {"http://127.0.0.1:9999"}},
		token:  func(_ *matrixWorld, own string) string { return own },
		status: http.StatusForbidden,
	},
	{
		name:   "tossed cookie and its token, same-site",
		header: aNeighbour,
		token:  func(*matrixWorld, string) string { return tossedToken },
		toss:   tossedCSRFCookie,
		status: http.StatusForbidden,
	},
	{
		name:   "tossed cookie and its token, no Sec-Fetch-Site",
		token:  func(*matrixWorld, string) string { return tossedToken },
		toss:   tossedCSRFCookie,
		status: http.StatusForbidden,
	},
	{
		name:   "tossed cookie and its token, no Sec-Fetch-Site, foreign Origin",
		header: http.Header{"Origin": {"http://127.0.0.1:9999"}},
		token:  func(*matrixWorld, string) string { return tossedToken },
		toss:   tossedCSRFCookie,
		status: http.StatusForbidden,
	},
	{
		name:   "same-site and the token pages give Sec-Fetch-Site browsers",
		header: aNeighbour,
		token:  func(w *matrixWorld, _ string) string { return fetchMetadataPageToken(w) },
		status: http.StatusForbidden,
	},
	{
		name:   "tossed session cookie and its own token, same-site",
		header: aNeighbour,
		token:  func(w *matrixWorld, _ string) string { return w.csrf[stranger] },
		toss:   tossedSession,
		status: http.StatusForbidden,
	},
	{
		// The user's own form, posted in the session the neighbour planted.
		name:   "tossed session cookie, then a same-origin post",
		header: http.Header{"Sec-Fetch-Site": {"same-origin"}},
		token:  func(*matrixWorld, string) string { return "" },
		toss:   tossedSession,
		status: http.StatusForbidden,
	},
}

// fetchMetadataPageToken is the token in the forms of a page asked for with Sec-Fetch-Site.
func fetchMetadataPageToken(w *matrixWorld) string {
	page := w.browsers[stranger].do(http.MethodGet, "/", nil, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	return csrfToken(w.h.t, page.expectStatus(http.StatusOK).doc.Selection)
}

// TestCSRFRefusesEveryStateChangingWebRoute forges each state-changing route of the
// dashboard, as the route table lists them, in each way a cross-site page could: the
// request is refused, the store is byte for byte as before, the session is untouched.
// The same request with the browser's token then takes effect, so the refusals are the
// CSRF check's doing and not a bad form's.
func TestCSRFRefusesEveryStateChangingWebRoute(t *testing.T) {
	w := newMatrixWorld(t, false)
	routes := stateChangingWebRoutes(t, w.h.server.Routes())
	if len(routes) < 10 {
		t.Fatalf("only %d state-changing web routes found", len(routes))
	}
	defer func() {
		if !t.Failed() {
			t.Logf("%d state-changing web routes × %d forgeries: all refused, the store and the session unchanged", len(routes), len(csrfAttacks))
		}
	}()
	for _, route := range routes {
		r := actingRole(t, route)
		ref := ""
		if strings.Contains(route.path, ":db") {
			ref = dbName
		}
		t.Run(route.method+" "+route.path, func(t *testing.T) {
			for _, attack := range csrfAttacks {
				t.Run(attack.name, func(t *testing.T) {
					c := w.newCase(t, route, r, ref)
					if route.setup != nil {
						route.setup(c)
					}
					_, path := c.request(route)
					form := url.Values{}
					for k, v := range c.form {
						form[k] = v
					}
					if token := attack.token(w, w.csrf[r]); token != "" {
						form.Set("_csrf", token)
					}
					if attack.toss != nil {
						cookie := attack.toss(w)
						cookie.Path = path
						c.a.client.Jar.SetCookies(mustParse(t, w.h.url+path), []*http.Cookie{cookie})
					}
					session := c.a.cookie("dbcollab_session")
					before := snapshot(t, w.db)

					got := c.a.post(path, form, attack.header)
					if got.status != attack.status {
						t.Fatalf("%s as %s: status %d, want %d\n%s", got.what, r, got.status, attack.status, got.body)
					}
					if heading := got.text("h1"); heading != "Request refused" {
						t.Errorf("the refusal's heading is %q", heading)
					}
					expectHardened(t, got, false)
					if after := snapshot(t, w.db); after != before {
						t.Errorf("the store changed:\n%s", lineDiff(before, after))
					}
					if now := c.a.cookie("dbcollab_session"); now != session {
						t.Error("the session cookie changed")
					}
					if route.done(c) {
						t.Error("the forged request took effect")
					}
				})
			}
			t.Run("with the browser's token", func(t *testing.T) {
				c := w.newCase(t, route, r, ref)
				if route.setup != nil {
					route.setup(c)
				}
				got := c.send(route)
				if !route.done(c) {
					t.Fatalf("%s as %s did not take effect (%d): the refusals above prove nothing", got.what, r, got.status)
				}
			})
		})
	}
}

// stateChangingWebRoutes returns the matrix rows of every route the server registers
// for a method other than GET, HEAD, OPTIONS or TRACE, outside the JSON API (which
// takes no cookie, so there is nothing to forge).
func stateChangingWebRoutes(t *testing.T, e *echo.Echo) []matrixRoute {
	t.Helper()
	safe := []string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, echo.RouteNotFound}
	var out []matrixRoute
	for _, served := range e.Routes() {
		if slices.Contains(safe, served.Method) || strings.HasPrefix(served.Path, "/v1") {
			continue
		}
		i := slices.IndexFunc(matrixRoutes, func(r matrixRoute) bool { return r.method == served.Method && r.path == served.Path })
		if i < 0 {
			t.Errorf("%s %s has no row in the authorization matrix", served.Method, served.Path)
			continue
		}
		if matrixRoutes[i].done == nil {
			t.Errorf("%s %s changes state but its matrix row cannot tell whether it took effect (done)", served.Method, served.Path)
			continue
		}
		out = append(out, matrixRoutes[i])
	}
	slices.SortFunc(out, func(a, b matrixRoute) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return out
}

// actingRole is a role for which the route takes effect: the owner when it may.
func actingRole(t *testing.T, route matrixRoute) role {
	t.Helper()
	if route.want[owner].acts {
		return owner
	}
	for r := range roleCount {
		if route.want[r].acts {
			return r
		}
	}
	t.Fatalf("%s %s takes effect for nobody", route.method, route.path)
	return 0
}

// snapshot prints every row of the tables named, or of every table, in storage order.
func snapshot(t *testing.T, db *sql.DB, names ...string) string {
	t.Helper()
	ctx := t.Context()
	if len(names) == 0 {
		names = teststore.Tables(t, db)
	}
	var b strings.Builder
	for _, name := range names {
		// PostgreSQL has no rowid: the whole row, as text, orders it.
		order := "rowid"
		if teststore.Postgres() {
			order = `"` + name + `"::text`
		}
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`" ORDER BY `+order)
		if err != nil {
			t.Fatal(err)
		}
		columns, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			values := make([]any, len(columns))
			pointers := make([]any, len(columns))
			for i := range values {
				pointers[i] = &values[i]
			}
			if err := rows.Scan(pointers...); err != nil {
				t.Fatal(err)
			}
			b.WriteString(name)
			for _, v := range values {
				switch v := v.(type) {
				case []byte:
					fmt.Fprintf(&b, " %x", v)
				case string:
					fmt.Fprintf(&b, " %q", v)
				default:
					fmt.Fprintf(&b, " %v", v)
				}
			}
			b.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// lineDiff lists the lines only in before (-) and only in after (+).
func lineDiff(before, after string) string {
	old, now := strings.Split(before, "\n"), strings.Split(after, "\n")
	var b strings.Builder
	for _, l := range old {
		if !slices.Contains(now, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range now {
		if !slices.Contains(old, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// A sibling subdomain's form that shows the session's own token is the user's: same-site
// requests are refused only when the token is not the session's.
func TestCSRFSameSiteWithTheSessionsTokenPasses(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	form := url.Values{"_csrf": {a.token()}, "email": {"sibling@example.com"}}
	a.post(h.collaboratorsPath(), form, aNeighbour).expectRedirect(h.collaboratorsPath())
	if _, invited := h.row("sibling@example.com"); !invited {
		t.Error("a same-site POST with the session's token was refused")
	}
}

// The token before logging in, which whoever planted that session knows, no longer works
// after it.
func TestCSRFTokenChangesAtLogIn(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	before := a.token()
	a.postWithToken("/login", url.Values{"email": {h.owner.Email}, "password": {password}}, before).expectRedirect("/")
	if after := a.token(); after == before {
		t.Fatal("the CSRF token is the one from before logging in")
	}
	a.postWithToken("/logout", nil, before).expectStatus(http.StatusForbidden)
}

// Under https the session cookie is a __Host- one: browsers take it only from this
// host, over https, for the whole site, so no neighbour can plant one.
func TestSessionCookieIsHostOnlyUnderHTTPS(t *testing.T) {
	w := newMatrixWorld(t, true)
	a := w.browsers[owner]
	if a.cookie("__Host-dbcollab_session") == "" || a.cookie("dbcollab_session") != "" {
		t.Fatalf("cookies after logging in over https: %v", a.client.Jar.Cookies(mustParse(t, w.h.url)))
	}
	r := w.h.anonymous()
	r.client.Transport = w.transport
	login := r.login(w.users[owner].Email, password).expectRedirect("/")
	for _, c := range login.cookies {
		if c.Name == "__Host-dbcollab_session" && (!c.Secure || c.Path != "/" || c.Domain != "") {
			t.Errorf("the session cookie is Secure=%v Path=%q Domain=%q", c.Secure, c.Path, c.Domain)
		}
	}
}

// Without Sec-Fetch-Site, an Origin is accepted when it is the host asked for or the
// public URL's, which a reverse proxy may reach under another Host; any other is refused.
func TestCSRFOriginBehindAProxy(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	token, session := a.token(), a.cookie("dbcollab_session")
	// No jar: it would look cookies up by the Host below.
	proxied := &actor{h: h, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	for i, c := range []struct {
		origin string
		status int
	}{
		{h.url, http.StatusSeeOther},
		{"http://dbcollab.internal:8080", http.StatusSeeOther},
		{"http://127.0.0.1:9999", http.StatusForbidden},
		{"null", http.StatusForbidden},
	} {
		email := "proxied" + itoa(int64(i)) + "@example.com"
		form := url.Values{"_csrf": {token}, "email": {email}}
		req, err := http.NewRequest(http.MethodPost, h.url+h.collaboratorsPath(), strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "dbcollab.internal:8080"
		req.AddCookie(&http.Cookie{Name: "dbcollab_session", Value: session})
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.origin)
		if got := proxied.send(req); got.status != c.status {
			t.Errorf("Origin %s through the proxy: %d, want %d", c.origin, got.status, c.status)
		}
		if _, invited := h.row(email); invited != (c.status == http.StatusSeeOther) {
			t.Errorf("Origin %s: invited %v", c.origin, invited)
		}
	}
}
