package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDrainServesWhileTheHealthCheckFails stops a server started with --drain: from the
// signal on, /healthz answers 503 while new connections and every other request are
// still served, for the drain's length; then the server stops as without one, exit 0.
func TestDrainServesWhileTheHealthCheckFails(t *testing.T) {
	const drain = 3 * time.Second
	sink := startSwitchableSink(t)
	server := startServer(t, filepath.Join(t.TempDir(), "dbcollab.db"), sink.Addr, "--demo", "--drain", drain.String())
	token := apiToken(t, server.URL, "user1@example.com", demoPassword)
	client := &http.Client{Timeout: 5 * time.Second}
	health := func() int {
		resp, err := client.Get(server.URL + "/healthz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	signalled := time.Now()
	server.signal(t, syscall.SIGTERM)
	waitUntil(t, drain/2, "/healthz answers 503", func() bool { return health() == http.StatusServiceUnavailable })
	if !strings.Contains(server.out.String(), "stopping: draining") {
		t.Errorf("the log does not say the server drains:\n%s", server.out)
	}
	// New connections (the client keeps none: each request dials) and requests are served.
	noKeepAlive := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Since(signalled) < drain*2/3 {
		if listed := listedCollaborators(t, server.URL, token, demoDB); listed["user2@example.com"] != 1 {
			t.Fatalf("during the drain the API lists %v, want the demo's collaborators", listed)
		}
		resp, err := noKeepAlive.Get(server.URL + "/login")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /login on a new connection during the drain: %v, %v; want 200", resp, err)
		}
		resp.Body.Close()
		if server.hasExited() {
			t.Fatalf("dbcollab exited %v after the signal, within its %v drain", time.Since(signalled), drain)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := server.waitExit(t, drain+15*time.Second); err != nil {
		t.Fatalf("dbcollab did not exit 0 after its drain: %v", err)
	}
	out := server.out.String()
	if d, f := strings.Index(out, "stopping: draining"), strings.Index(out, "stopping: finishing requests in flight"); f < d {
		t.Errorf("the log does not say it finishes its requests after draining:\n%s", out)
	}
}
