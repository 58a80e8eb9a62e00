package e2e

import (
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"dbcollab/internal/testkit"
)

// app is one running dbcollab binary with its own database file and mail sink.
type app struct {
	URL  string
	Mail *mailSink
	out  *testkit.SyncBuffer
}

// startApp runs `dbcollab serve` on a free loopback port, sending e-mail to a fresh
// SMTP sink, with the extra serve flags given, and waits until /healthz answers. At the
// end of the test it sends SIGTERM and checks the binary exits 0.
func startApp(t *testing.T, demo bool, flags ...string) *app {
	t.Helper()
	sink := startMailSink(t)
	addr := freeAddr(t)
	args := []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "dbcollab.db"),
		"--smtp-url", "smtp://" + sink.Addr}
	if demo {
		args = append(args, "--demo")
	}
	args = append(args, flags...)
	a := &app{URL: "http://" + addr, Mail: sink, out: &testkit.SyncBuffer{}}
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = a.out, a.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("dbcollab did not exit 0 on SIGTERM: %v", err)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("dbcollab still runs 15 s after SIGTERM")
		}
		if t.Failed() {
			t.Logf("dbcollab output:\n%s", a.out)
		}
	})

	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(a.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return a
			}
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("dbcollab exited before it served: %v\n%s", err, a.out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz did not answer 200 within 15 s (last error: %v)\n%s", err, a.out)
		}
	}
}

// Output is what the binary printed so far.
func (a *app) Output() string { return a.out.String() }

// freeAddr returns a loopback address with a port nobody listens on. The binary gets a
// fixed port rather than :0 because its e-mail links are built from --addr.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
