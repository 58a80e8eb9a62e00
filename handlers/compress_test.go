package handlers_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"dbcollab/static"
)

func TestTextAnswersAreGzippedForClientsThatAcceptIt(t *testing.T) {
	f := newTabFixture(t, 10)
	token, _, err := f.svc.CreateAPIToken(context.Background(), f.owner.ID, "compression")
	if err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"the tab":        f.tabPath(),
		"the stylesheet": static.URL("app.css"),
		"the script":     static.URL("app.js"),
		"API JSON":       "/v1/databases/" + f.db.Name + "/collaborators",
	} {
		t.Run(name, func(t *testing.T) {
			get := func(acceptGzip bool) *http.Request {
				req := f.browserGet(context.Background(), path)
				req.Header.Set("Authorization", "Bearer "+token)
				if !acceptGzip {
					req.Header.Del("Accept-Encoding")
				}
				return req
			}
			zipped, plain := f.serve(get(true)), f.serve(get(false))
			if zipped.Code != http.StatusOK || plain.Code != http.StatusOK {
				t.Fatalf("GET %s: %d with gzip, %d without", path, zipped.Code, plain.Code)
			}
			if got := zipped.Header().Get("Content-Encoding"); got != "gzip" {
				t.Errorf("Content-Encoding %q for a client that accepts gzip", got)
			}
			if got := plain.Header().Get("Content-Encoding"); got != "" {
				t.Errorf("Content-Encoding %q for a client that does not accept gzip", got)
			}
			if got := zipped.Header().Values("Vary"); !slices.Contains(got, "Accept-Encoding") {
				t.Errorf("Vary %q, want Accept-Encoding among them", got)
			}
			if zipped.Body.Len() >= plain.Body.Len() {
				t.Errorf("%d bytes gzipped, %d plain", zipped.Body.Len(), plain.Body.Len())
			}
			if decompressed(t, zipped) != plain.Body.String() {
				t.Error("the gzipped answer does not decompress to the plain one")
			}
			for _, header := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy", "X-Content-Type-Options"} {
				if zipped.Header().Get(header) != plain.Header().Get(header) {
					t.Errorf("%s: %q gzipped, %q plain", header, zipped.Header().Get(header), plain.Header().Get(header))
				}
			}
		})
	}
	t.Run("gzip refused with q=0", func(t *testing.T) {
		req := f.browserGet(context.Background(), f.tabPath())
		req.Header.Set("Accept-Encoding", "gzip;q=0, identity")
		if rec := f.serve(req); rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET the tab with gzip;q=0: %d, Content-Encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
		}
	})
	t.Run("a short answer", func(t *testing.T) {
		rec := f.serve(f.browserGet(context.Background(), "/healthz"))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET /healthz: %d, Content-Encoding %q: not worth compressing", rec.Code, rec.Header().Get("Content-Encoding"))
		}
	})
}

func TestStaticAssetsSetNoCookie(t *testing.T) {
	f := newTabFixture(t, 0)
	for _, name := range []string{"app.css", "app.js"} {
		req := f.browserGet(context.Background(), static.URL(name))
		req.Header.Del("Sec-Fetch-Site") // the token path would set the CSRF cookie
		rec := f.serve(req)
		if rec.Code != http.StatusOK || len(rec.Result().Cookies()) > 0 {
			t.Errorf("GET %s: %d, cookies %v: an immutable file sets none", name, rec.Code, rec.Result().Cookies())
		}
	}
}
