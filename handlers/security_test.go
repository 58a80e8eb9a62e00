package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// A browser that says the form is its own origin's needs no token. (Forgeries, the
// token path and cross-site requests are in csrf_test.go.)
func TestCSRFSameOriginNeedsNoToken(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	sameOrigin := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	a.post(h.collaboratorsPath(), url.Values{"email": {"same@example.com"}}, sameOrigin).
		expectRedirect(h.collaboratorsPath())
	if _, invited := h.row("same@example.com"); !invited {
		t.Error("a same-origin POST without token was not accepted")
	}
}

// expectSecurityHeaders checks the headers every HTML answer carries.
func expectSecurityHeaders(t *testing.T, name string, r *response) {
	t.Helper()
	csp := r.header.Get("Content-Security-Policy")
	for _, forbidden := range []string{"'unsafe-inline'", "'unsafe-eval'", "*"} {
		if strings.Contains(csp, forbidden) {
			t.Errorf("%s: CSP allows %s: %q", name, forbidden, csp)
		}
	}
	for _, want := range []string{"frame-ancestors 'none'", "default-src 'none'", "script-src 'self'", "style-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP lacks %s: %q", name, want, csp)
		}
	}
	for header, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	} {
		if got := r.header.Get(header); got != want {
			t.Errorf("%s: %s is %q, want %q", name, header, got, want)
		}
	}
}

// The session cookie is SameSite=Lax, not Strict: whoever follows an invitation link
// from their mail arrives signed in. (HttpOnly and Secure are checked on every answer
// of the authorization matrix.)
func TestSessionCookieIsSameSiteLax(t *testing.T) {
	h := newHarness(t)
	r := h.anonymous().login(h.owner.Email, password).expectRedirect("/")
	i := slices.IndexFunc(r.cookies, func(c *http.Cookie) bool { return c.Name == "dbcollab_session" })
	if i < 0 {
		t.Fatal("log in set no session cookie")
	}
	if got := r.cookies[i].SameSite; got != http.SameSiteLaxMode {
		t.Errorf("session cookie SameSite is %v, want Lax", got)
	}
}

func TestStaticAssetsAreFingerprintedAndImmutable(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	page := a.get("/login").expectStatus(http.StatusOK)
	css, _ := page.doc.Find(`link[rel=stylesheet]`).Attr("href")
	js, _ := page.doc.Find(`script[src]`).Attr("src")
	for asset, contentType := range map[string]string{css: "text/css", js: "text/javascript"} {
		if !strings.HasPrefix(asset, "/static/") {
			t.Errorf("asset URL %q is not ours", asset)
			continue
		}
		r := a.get(asset)
		if r.status != http.StatusOK {
			t.Errorf("%s: status %d", asset, r.status)
		}
		if got := r.header.Get("Cache-Control"); !strings.Contains(got, "immutable") || !strings.Contains(got, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", asset, got)
		}
		if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, contentType) {
			t.Errorf("%s: Content-Type %q, want %s", asset, got, contentType)
		}
		if r.body == "" {
			t.Errorf("%s: empty", asset)
		}
		// Another fingerprint is another file: not found.
		stale := asset[:strings.LastIndexByte(asset, '.')-1] + "x" + asset[strings.LastIndexByte(asset, '.'):]
		if got := a.get(stale).status; got != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", stale, got)
		}
	}
	for _, path := range []string{"/static/app.css", "/static/nothing.js", "/static/"} {
		if got := a.get(path).status; got != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, got)
		}
	}
}

func TestHealthz(t *testing.T) {
	h := newHarness(t)
	r := h.anonymous().get("/healthz")
	if r.status != http.StatusOK || r.body != "ok\n" {
		t.Errorf("/healthz: %d %q", r.status, r.body)
	}
}

// Typed markup comes back in the form as it was typed: escaped once, neither stripped
// nor escaped twice. (That it never runs is in hostile_test.go.)
func TestTypedMarkupIsKeptAsTyped(t *testing.T) {
	h := newHarness(t)
	const script = `<script>alert("x")</script>`

	h.signedIn(h.owner).submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {script + "@example.com"}}).
		expectField("Email", script+"@example.com")
	h.anonymous().submit("/signup", "/signup", url.Values{"email": {script}, "username": {script}, "password": {"x"}}).
		expectField("Username", script)
	h.anonymous().login(script, "wrong-password").expectField("Email", script)
}
