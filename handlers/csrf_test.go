package handlers_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// csrfAttack is a forged request: its headers and the CSRF token it carries.
type csrfAttack struct {
	name   string
	header http.Header
	// token is the _csrf value sent, given the role's own; "" sends none.
	token  func(w *matrixWorld, own string) string
	status int
}

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
		tables, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		for tables.Next() {
			var name string
			if err := tables.Scan(&name); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		}
		if err := tables.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	for _, name := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`" ORDER BY rowid`)
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
