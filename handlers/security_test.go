package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestCSRFTokenPath(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	invite := url.Values{"email": {"csrf@example.com"}}

	noToken := a.post(h.collaboratorsPath(), invite, nil)
	if noToken.status != http.StatusBadRequest && noToken.status != http.StatusForbidden {
		t.Errorf("POST without token nor Sec-Fetch-Site: status %d, want 400 or 403", noToken.status)
	}
	wrong := a.postWithToken(h.collaboratorsPath(), invite, "not-the-token")
	if wrong.status != http.StatusForbidden {
		t.Errorf("POST with a wrong token: status %d, want 403", wrong.status)
	}
	// Another browser's valid token is not this one's.
	other := h.signedIn(h.collaborator)
	stolen := a.postWithToken(h.collaboratorsPath(), invite, other.token())
	if stolen.status != http.StatusForbidden {
		t.Errorf("POST with another session's token: status %d, want 403", stolen.status)
	}
	if _, invited := h.row("csrf@example.com"); invited {
		t.Fatal("a POST without a valid token invited someone")
	}
	if got := noToken.text("h1"); got != "Request refused" {
		t.Errorf("the refusal's heading is %q", got)
	}
	expectSecurityHeaders(t, "CSRF refusal", noToken)

	// Logging out is a change too.
	if r := a.post("/logout", url.Values{}, nil); r.status != http.StatusBadRequest && r.status != http.StatusForbidden {
		t.Errorf("POST /logout without token: status %d", r.status)
	}
	a.get("/").expectStatus(http.StatusOK)
}

func TestCSRFBrowserPath(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)

	crossSite := http.Header{"Sec-Fetch-Site": {"cross-site"}}
	form := url.Values{"email": {"cross@example.com"}, "_csrf": {a.token()}}
	if r := a.post(h.collaboratorsPath(), form, crossSite); r.status != http.StatusForbidden {
		t.Errorf("cross-site POST with a valid token: status %d, want 403", r.status)
	}
	if _, invited := h.row("cross@example.com"); invited {
		t.Fatal("a cross-site POST invited someone")
	}

	sameOrigin := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	a.post(h.collaboratorsPath(), url.Values{"email": {"same@example.com"}}, sameOrigin).
		expectRedirect(h.collaboratorsPath())
	if _, invited := h.row("same@example.com"); !invited {
		t.Error("a same-origin POST without token was not accepted")
	}
}

// htmlPages are pages of every kind, with who sees them.
func htmlPages(h *harness) map[string]struct {
	a    *actor
	path string
} {
	owner, anon := h.signedIn(h.owner), h.anonymous()
	pending, _ := h.row(h.invitee.Email)
	anon.get("/invitations/" + h.inviteeToken).expectRedirect("/invitation")
	return map[string]struct {
		a    *actor
		path string
	}{
		"log in":         {anon, "/login"},
		"sign up":        {anon, "/signup"},
		"invitation":     {anon, "/invitation"},
		"not found":      {anon, "/nothing"},
		"databases":      {owner, "/"},
		"new database":   {owner, "/databases/new"},
		"overview":       {owner, h.path("")},
		"general":        {owner, h.path("/settings")},
		"collaborators":  {owner, h.collaboratorsPath()},
		"revoke confirm": {owner, h.revokePath(pending)},
		"database 404":   {owner, "/databases/no-such-db"},
	}
}

func TestEveryPageHasTheSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for name, p := range htmlPages(h) {
		r := p.a.get(p.path)
		if r.doc == nil {
			t.Errorf("%s: not an HTML page (status %d)", name, r.status)
			continue
		}
		expectSecurityHeaders(t, name, r)
		// The CSP forbids inline code: the page must not need any.
		if n := r.doc.Find("script:not([src]), style, [style]").Length(); n > 0 {
			t.Errorf("%s: %d inline scripts or styles", name, n)
		}
		r.doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, attr := range s.Nodes[0].Attr {
				if strings.HasPrefix(attr.Key, "on") {
					t.Errorf("%s: inline event handler %s on <%s>", name, attr.Key, goquery.NodeName(s))
				}
			}
		})
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

func TestSessionCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []harnessOption
		secure bool
	}{{"http", nil, false}, {"https", []harnessOption{secure}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts...)
			// Sec-Fetch-Site stands for the token: a jar does not send a Secure cookie over http.
			r := h.anonymous().post("/login", url.Values{"email": {h.owner.Email}, "password": {password}},
				http.Header{"Sec-Fetch-Site": {"same-origin"}}).expectRedirect("/")
			var found bool
			for _, c := range r.cookies {
				if c.Name != "dbcollab_session" {
					continue
				}
				found = true
				if !c.HttpOnly {
					t.Error("session cookie is not HttpOnly")
				}
				if c.SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie SameSite is %v, want Lax", c.SameSite)
				}
				if c.Secure != tc.secure {
					t.Errorf("session cookie Secure is %v, want %v", c.Secure, tc.secure)
				}
			}
			if !found {
				t.Fatal("log in set no session cookie")
			}
			page := h.anonymous().get("/login")
			for _, c := range page.cookies {
				if c.Name == "dbcollab_csrf" && (c.Secure != tc.secure || !c.HttpOnly) {
					t.Errorf("CSRF cookie Secure=%v HttpOnly=%v", c.Secure, c.HttpOnly)
				}
			}
		})
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

func TestTypedMarkupIsEscaped(t *testing.T) {
	h := newHarness(t)
	const script = `<script>alert("x")</script>`

	invite := h.signedIn(h.owner).submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {script + "@example.com"}})
	signup := h.anonymous().submit("/signup", "/signup", url.Values{"email": {script}, "username": {script}, "password": {"x"}})
	login := h.anonymous().login(script, "wrong-password")
	for name, r := range map[string]*response{"invite": invite, "signup": signup, "login": login} {
		if strings.Contains(r.body, "<script>alert") {
			t.Errorf("%s: the typed markup is in the page as is", name)
		}
		if n := r.doc.Find("script:not([src])").Length(); n > 0 {
			t.Errorf("%s: %d inline scripts in the page", name, n)
		}
	}
	invite.expectField("Email", script+"@example.com")
	signup.expectField("Username", script)
	login.expectField("Email", script)
}
