package server

import (
	"log/slog"
	"net/http"
	"testing"
	"time"
)

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
