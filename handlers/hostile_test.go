package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// hostileValue is something no honest form sends.
type hostileValue struct{ name, value string }

var hostileValues = []hostileValue{
	{"CR LF header injection", "a@example.com\r\nBcc: everyone@example.com"},
	{"LF header injection", "name\nSet-Cookie: dbcollab_session=x"},
	{"NUL byte", "a\x00b@example.com"},
	{"script", `<script>alert("x")</script>`},
	{"attribute break-out", `"><img src=x onerror=alert(1)>`},
	{"SQL quotes", `' OR '1'='1'; DROP TABLE users; --`},
	{"odd Unicode", "\u202eevil\u200b\ufeff\u00e9\U0001F600\u2028x"},
	{"invalid UTF-8", "\xff\xfe\xc3\x28"},
}

// bigMarkup is as big as it is hostile, yet small enough, escaped in a form (28 KB) or
// in JSON (52 KB), to pass the 64 KB body caps and reach the handlers: bigger bodies get
// a 413 before any handler reads them (TestFormCap).
var bigMarkup = hostileValue{"12 KB of markup", strings.Repeat("<a>", 4_000)}

// TestHostileInputAtEveryFormAndAPIEndpoint puts each hostile value in each field of
// each form and JSON body the server takes, as someone allowed to post it: no answer
// is a 5xx, every page carries no markup of the value's, and nothing invalid is stored.
func TestHostileInputAtEveryFormAndAPIEndpoint(t *testing.T) {
	tried := 0
	for _, route := range matrixRoutes {
		if route.setup == nil || !slices.ContainsFunc(route.want[:], func(o outcome) bool { return o.acts }) {
			continue
		}
		// A world per route: the log-in throttle one route's failures start must not
		// stop the next route's requests short of its handler.
		w := newMatrixWorld(t, false)
		rows := newRowChecker(w.db)
		rows.expectValidRows(t)
		r := actingRole(t, route)
		for _, field := range fieldsOf(t, w, route, r) {
			for _, v := range append(hostileValues, bigMarkup) {
				tried++
				t.Run(route.method+" "+route.path+"/"+field+"/"+v.name, func(t *testing.T) {
					c := w.newCase(t, route, r, refFor(route))
					route.setup(c)
					if c.form != nil {
						c.form.Set(field, v.value)
					} else {
						c.json = jsonWithField(t, c.json, field, v.value)
					}
					got := c.send(route)
					if got.status == http.StatusRequestEntityTooLarge {
						t.Fatalf("%s: 413, the value reached no handler", got.what)
					}
					expectHardened(t, got, false)
					expectNothingUnescaped(t, got, v.value)
					rows.expectValidRows(t)
				})
			}
		}
	}
	if tried < 50 {
		t.Fatalf("only %d hostile requests: the forms were not found", tried)
	}
	if !t.Failed() {
		t.Logf("%d requests, each of %d hostile values in each field of each form and JSON body: no 5xx, nothing unescaped, nothing invalid stored",
			tried, len(hostileValues)+1)
	}
}

// TestHostilePathParameters puts each hostile value in each parameter of each route's
// path, as the owner, who may go furthest: no 5xx, nothing unescaped.
func TestHostilePathParameters(t *testing.T) {
	w := newMatrixWorld(t, false)
	defer func() {
		if !t.Failed() {
			t.Logf("%d requests with a hostile path parameter: no 5xx, nothing unescaped", w.cases)
		}
	}()
	values := append(hostileValues, hostileValue{"10 KB", strings.Repeat("9", 10_000)},
		hostileValue{"huge number", "99999999999999999999"}, hostileValue{"negative", "-1"}, hostileValue{"dot dot", ".."})
	for _, route := range matrixRoutes {
		for _, param := range []string{":db", ":id", ":token"} {
			if !strings.Contains(route.path, param) {
				continue
			}
			for _, v := range values {
				t.Run(route.method+" "+route.path+"/"+param+"/"+v.name, func(t *testing.T) {
					c := w.newCase(t, route, owner, refFor(route))
					if route.setup != nil {
						route.setup(c)
					}
					method, _ := c.request(route)
					path := strings.NewReplacer(":db", dbName, ":id", itoa(c.id), ":token", c.h.inviteeToken).
						Replace(strings.Replace(route.path, param, url.PathEscape(v.value), 1))
					got := c.sendTo(method, path)
					expectHardened(t, got, false)
					expectNothingUnescaped(t, got, v.value)
				})
			}
		}
	}
}

// E-mail header injection through an invited address is impossible by construction:
// the API refuses an address with CR or LF anywhere before anything is stored or queued;
// the Add form takes line breaks as separators between addresses (issue 12), so each
// piece is validated on its own and none stored or queued holds a line break (and the
// e-mail's headers are then written by a library, never by hand).
func TestInvitedAddressWithCRLFIsRefusedBeforeAnythingIsQueued(t *testing.T) {
	// Not api_tokens: using a token records when it was last used.
	invitationTables := []string{"collaborators", "outbox", "events", "replaced_tokens"}
	w := newMatrixWorld(t, false)
	browser := w.browsers[owner]
	for _, address := range []string{
		"a@example.com\r\nBcc: everyone@example.com",
		"a@example.com\nBcc: everyone@example.com",
		"a@example.com\rBcc: everyone@example.com",
		"\r\na@example.com",
		"a@example.com\r\n",
		"a@example.com\n",
		"a\r\n@example.com",
		"=?utf-8?q?a=0D=0ABcc:_everyone@example.com?=@example.com",
	} {
		t.Run(strings.ReplaceAll(strings.ReplaceAll(address, "\r", `\r`), "\n", `\n`), func(t *testing.T) {
			web := browser.postWithToken(collaboratorsTab, url.Values{"email": {address}}, w.csrf[owner])
			if web.status >= http.StatusInternalServerError {
				t.Fatalf("web: status %d", web.status)
			}
			// Written in the SQL both stores read.
			const withBreak = `SELECT count(*) FROM %s WHERE %s LIKE $1 OR %s LIKE $2`
			for table, column := range map[string]string{"collaborators": "email", "outbox": "to_addr"} {
				if n := countRows(t, w.db, fmt.Sprintf(withBreak, table, column, column), "%\r%", "%\n%"); n != 0 {
					t.Fatalf("web: %d addresses with a line break in %s", n, table)
				}
			}
			before := snapshot(t, w.db, invitationTables...)
			body, err := json.Marshal(map[string]map[string]string{"collaborator": {"email": address}})
			if err != nil {
				t.Fatal(err)
			}
			api := browser.api(http.MethodPost, "/v1/databases/"+dbName+"/collaborators", w.auth[owner], string(body))
			if api.status != http.StatusUnprocessableEntity {
				t.Fatalf("API: status %d, want 422\n%s", api.status, api.body)
			}
			if after := snapshot(t, w.db, invitationTables...); after != before {
				t.Fatalf("the store changed:\n%s", lineDiff(before, after))
			}
		})
	}
}

// fieldsOf lists the fields a route's request sends: form keys, or the paths of the
// JSON body's strings ("collaborator.email").
func fieldsOf(t *testing.T, w *matrixWorld, route matrixRoute, r role) []string {
	t.Helper()
	c := w.newCase(t, route, r, refFor(route))
	route.setup(c)
	var fields []string
	for k := range c.form {
		fields = append(fields, k)
	}
	if c.json != "" {
		var doc map[string]any
		if err := json.Unmarshal([]byte(c.json), &doc); err != nil {
			t.Fatal(err)
		}
		fields = append(fields, stringPaths(doc, "")...)
	}
	slices.Sort(fields)
	return fields
}

func stringPaths(doc map[string]any, prefix string) []string {
	var out []string
	for k, v := range doc {
		switch v := v.(type) {
		case string:
			out = append(out, prefix+k)
		case map[string]any:
			out = append(out, stringPaths(v, prefix+k+".")...)
		}
	}
	return out
}

// jsonWithField returns doc with the string at path set to value.
func jsonWithField(t *testing.T, doc, path, value string) string {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	m := root
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		m = m[k].(map[string]any)
	}
	m[keys[len(keys)-1]] = value
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// refFor names the seeded database by name in routes that take one.
func refFor(route matrixRoute) string {
	if strings.Contains(route.path, ":db") {
		return dbName
	}
	return ""
}

// expectNothingUnescaped checks that value, when it carries markup, comes back only
// escaped: pages hold no element or attribute it brought, and the API answers JSON.
func expectNothingUnescaped(t *testing.T, r *response, value string) {
	t.Helper()
	if r.doc != nil {
		expectNoInjectedMarkup(t, r.what, r.doc)
	}
	if strings.ContainsAny(value, `<>"`) && strings.Contains(r.body, value) {
		t.Fatalf("%s: the value is in the answer as it was sent", r.what)
	}
	if strings.Contains(r.what, " /v1") && r.body != "" && !json.Valid([]byte(r.body)) {
		t.Fatalf("%s: the API answered something that is not JSON:\n%s", r.what, r.body)
	}
}

// TestHostileQueryParameters puts each hostile value in each parameter of the
// Collaborators tab's and the API list's query (search, status, pages), as the owner: no
// 5xx, nothing unescaped; the tab shows the search as typed, escaped, and the API refuses
// what is not a search, a status or a page with a 422.
func TestHostileQueryParameters(t *testing.T) {
	w := newMatrixWorld(t, false)
	values := append(hostileValues, bigMarkup, hostileValue{"huge number", "99999999999999999999"},
		hostileValue{"negative", "-1"}, hostileValue{"LIKE wildcards", "%_%"})
	for _, route := range matrixRoutes {
		if route.method != http.MethodGet || (route.path != "/databases/:db/settings/collaborators" && route.path != "/v1/databases/:db/collaborators") {
			continue
		}
		for _, param := range []string{"q", "status", "p", "page", "per_page"} {
			for _, v := range values {
				t.Run(route.path+"?"+param+"="+v.name, func(t *testing.T) {
					c := w.newCase(t, route, owner, dbName)
					method, path := c.request(route)
					got := c.sendTo(method, path+"?"+url.Values{param: {v.value}}.Encode())
					expectHardened(t, got, false)
					expectNothingUnescaped(t, got, v.value)
					if got.status != http.StatusOK && got.status != http.StatusUnprocessableEntity {
						t.Errorf("%s: %d", got.what, got.status)
					}
				})
			}
		}
	}
	if !t.Failed() {
		t.Logf("%d requests with a hostile query parameter: no 5xx, nothing unescaped", w.cases)
	}
}
