package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildBinary builds dbcollab from the module root into dir.
func buildBinary(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	bin := filepath.Join(dir, "dbcollab")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = strings.TrimSpace(string(root))
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// server is one running dbcollab process.
type server struct {
	cmd *exec.Cmd
	url string
	log string // file holding its standard error
	// exited is closed once the process has exited, with exitErr its status.
	exited  chan struct{}
	exitErr error
	// healthy is how long it took from exec to the first 200 from /healthz.
	healthy time.Duration
}

var servingLine = regexp.MustCompile(`msg="dbcollab is serving" addr=(\S+)`)

// startServer runs `dbcollab serve` on a random loopback port with the given extra
// flags, and returns once /healthz answers 200. E-mails (printed on standard output)
// are discarded; the log goes straight to a file, so that reading it costs nothing
// during the measurements.
func startServer(ctx context.Context, bin, dir, db string, flags ...string) (*server, error) {
	logFile, err := os.CreateTemp(dir, "server-*.log")
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, flags...)...)
	cmd.Stderr = logFile
	s := &server{cmd: cmd, log: logFile.Name(), exited: make(chan struct{})}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	for deadline := start.Add(10 * time.Second); s.url == ""; time.Sleep(time.Millisecond) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("dbcollab exited before serving (%v):\n%s", s.exitErr, s.output())
		default:
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("dbcollab did not say where it serves within 10s (%v):\n%s", ctx.Err(), s.output())
		}
		if m := servingLine.FindStringSubmatch(s.logHead()); m != nil {
			s.url = "http://" + m[1]
		}
	}
	if err := s.waitHealthy(ctx, start); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// waitHealthy polls /healthz until it answers 200, for at most 10 seconds.
func (s *server) waitHealthy(ctx context.Context, start time.Time) error {
	client := &http.Client{Timeout: time.Second}
	for deadline := start.Add(10 * time.Second); time.Now().Before(deadline); {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resp, err := client.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.healthy = time.Since(start)
				client.CloseIdleConnections()
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("/healthz did not answer 200 within 10s:\n%s", s.output())
}

// stop sends SIGTERM and waits for a clean exit, killing the process after 10 seconds.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
		if s.exitErr != nil {
			return fmt.Errorf("dbcollab stopped with %v:\n%s", s.exitErr, s.output())
		}
		return nil
	case <-time.After(10 * time.Second):
		s.kill()
		return errors.New("dbcollab did not stop within 10s of SIGTERM")
	}
}

// kill ends the process at once if it still runs.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// logHead is the beginning of the server's log, where it says where it serves.
func (s *server) logHead() string {
	f, err := os.Open(s.log)
	if err != nil {
		return ""
	}
	defer f.Close()
	b := make([]byte, 16<<10)
	n, _ := io.ReadFull(f, b)
	return string(b[:n])
}

// output is the tail of the server's log, for error messages.
func (s *server) output() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// memory reads the resident set size and its high-water mark, in bytes, from
// /proc/<pid>/status.
func (s *server) memory() (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %q: %w", key, value, err)
		}
		if key == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}

// cpu is the CPU time, user and system, the server has used so far, from
// /proc/<pid>/stat (in clock ticks of 1/100 s, as on every Linux this runs on); zero if
// it cannot be read.
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may hold spaces:
	// utime and stime are the 14th and 15th of the line.
	_, after, _ := strings.Cut(string(b), ") ")
	fields := strings.Fields(after)
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
