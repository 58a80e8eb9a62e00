package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunRefusesABaseURLWithItsUserOrPasswordAndNeverShowsThem(t *testing.T) {
	for _, baseURL := range []string{"http://admin:s3cret@db.example.com", "https://admin@db.example.com", "http://admin:s3cret@[::1"} {
		t.Run(baseURL, func(t *testing.T) {
			var logged, out bytes.Buffer
			cfg := Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(t.TempDir(), "dbcollab.db"), BaseURL: baseURL}
			err := Run(t.Context(), cfg, slog.New(slog.NewTextHandler(&logged, nil)), &out)
			if err == nil || !strings.Contains(err.Error(), "--base-url") {
				t.Fatalf("Run = %v, want a refusal of --base-url", err)
			}
			if all := err.Error() + logged.String() + out.String(); strings.Contains(all, "s3cret") || strings.Contains(all, "admin") {
				t.Errorf("the user or password was shown:\n%s", all)
			}
		})
	}
}

// Every timeout of the HTTP server is set, so that no slow client holds a connection for
// good: a header within 10 s, the whole request within 30 s, the answer written within a
// minute, an idle keep-alive connection closed after 2 minutes.
func TestHTTPServerSetsEveryTimeout(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	for name, got := range map[string]struct{ got, want time.Duration }{
		"ReadHeaderTimeout": {srv.ReadHeaderTimeout, 10 * time.Second},
		"ReadTimeout":       {srv.ReadTimeout, 30 * time.Second},
		"WriteTimeout":      {srv.WriteTimeout, time.Minute},
		"IdleTimeout":       {srv.IdleTimeout, 2 * time.Minute},
	} {
		if got.got != got.want {
			t.Errorf("%s is %v, want %v", name, got.got, got.want)
		}
	}
	// The write deadline runs from the end of the request's headers: it must leave the
	// whole read its time.
	if srv.WriteTimeout <= srv.ReadTimeout {
		t.Errorf("WriteTimeout %v is not longer than ReadTimeout %v", srv.WriteTimeout, srv.ReadTimeout)
	}
}
