package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A 9 MB e-mail in the log-in form is refused with a page that says why, and never
// echoed back.
func TestFormCapNineMegabyteLogin(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	huge := strings.Repeat("e", 9<<20) + "@example.com"
	r := a.postWithToken("/login", url.Values{"email": {huge}, "password": {password}}, a.token())
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", r.status)
	}
	if got := r.text("h1"); got != "Form too large" {
		t.Errorf("heading %q", got)
	}
	if len(r.body) > 64<<10 || strings.Contains(r.body, "eeeeeeeeeeeeeeee") {
		t.Errorf("the answer (%d bytes) echoes the form", len(r.body))
	}
}

// The same as multipart/form-data, which a form may send too.
func TestFormCapNineMegabyteMultipartLogin(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, value := range map[string]string{"_csrf": a.token(), "password": password, "email": strings.Repeat("e", 9<<20)} {
		if err := mw.WriteField(name, value); err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, h.url+"/login", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := a.send(req); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", r.status)
	}
}

// Every state-changing dashboard route refuses a form over 64 KB before it does anything,
// while the same form a little under 64 KB gets past the limit.
func TestFormCapOnEveryDashboardRoute(t *testing.T) {
	w := newMatrixWorld(t, false)
	for _, route := range stateChangingWebRoutes(t, w.h.server.Routes()) {
		r := actingRole(t, route)
		ref := ""
		if strings.Contains(route.path, ":db") {
			ref = dbName
		}
		t.Run(route.method+" "+route.path, func(t *testing.T) {
			for _, size := range []int{63 << 10, 65 << 10} {
				c := w.newCase(t, route, r, ref)
				if route.setup != nil {
					route.setup(c)
				}
				_, path := c.request(route)
				form := url.Values{"padding": {strings.Repeat("p", size)}}
				for k, v := range c.form {
					form[k] = v
				}
				before := snapshot(t, w.db)
				token := w.csrf[r]
				if c.csrf != "" {
					token = c.csrf
				}
				got := c.a.postWithToken(path, form, token)
				if size < 64<<10 {
					if got.status == http.StatusRequestEntityTooLarge {
						t.Errorf("a form of %d KB: 413", size>>10)
					}
					continue
				}
				if got.status != http.StatusRequestEntityTooLarge || got.text("h1") != "Form too large" {
					t.Fatalf("a form of %d KB: %d %q, want 413 Form too large", size>>10, got.status, got.text("h1"))
				}
				if after := snapshot(t, w.db); after != before {
					t.Errorf("the store changed:\n%s", lineDiff(before, after))
				}
			}
		})
	}
}
