// Package pgtest gives tests a throwaway PostgreSQL cluster: one per test binary,
// started on first use (a copy of a data directory initdb made once and kept in the
// user's cache, pg_ctl start on a free port, SCRAM authentication over TCP) and stopped
// by Main when the tests end. Only tests import it.
//
// Without the PostgreSQL binaries (Debian's postgresql package) the tests that need
// the cluster are skipped, except in CI (CI set), where they fail: .ci/run installs it.
package pgtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// AdminUser is the cluster's superuser.
const AdminUser = "postgres"

// Cluster is the running throwaway cluster.
type Cluster struct {
	dir, bin, password string
	port               int
	// asPostgres: the tests run as root, and PostgreSQL refuses to: its commands run
	// as the postgres user.
	asPostgres bool
}

var (
	once    sync.Once
	cluster *Cluster
	// startErr is why the cluster could not start; missing says the binaries are not there.
	startErr error
	missing  bool
	mu       sync.Mutex
)

// Main runs the tests of a package that uses the cluster, and stops it afterwards:
// call it from TestMain as os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if cluster != nil {
		cluster.Stop()
		os.RemoveAll(cluster.dir)
	}
	return code
}

// Start returns the package's cluster, starting it on first use; it skips the test
// when PostgreSQL is not installed (fails in CI).
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	once.Do(func() { cluster, startErr = start() })
	if startErr != nil {
		if missing && os.Getenv("CI") == "" {
			tb.Skipf("PostgreSQL is not installed (%v): apt-get install -y postgresql", startErr)
		}
		tb.Fatalf("pgtest: %v", startErr)
	}
	return cluster
}

// AdminURL is the URL of the superuser on the cluster's postgres database.
func (c *Cluster) AdminURL() string {
	return c.URL(AdminUser, c.password, "postgres")
}

// URL is the URL of user with password on database.
func (c *Cluster) URL(user, password, database string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + database}
	return u.String()
}

// Host and Port are where the cluster listens.
func (c *Cluster) Host() string { return "127.0.0.1" }
func (c *Cluster) Port() int    { return c.port }

// Stop stops the cluster (fast shutdown: sessions are ended); Restart starts it again
// on the same port, for tests of an outage.
func (c *Cluster) Stop() error {
	mu.Lock()
	defer mu.Unlock()
	return c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop")
}

func (c *Cluster) Restart() error {
	mu.Lock()
	defer mu.Unlock()
	return c.startServer()
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		missing = true
		return nil, err
	}
	c := &Cluster{bin: bin, asPostgres: os.Geteuid() == 0}
	tmpl, password, err := c.template()
	if err != nil {
		return nil, err
	}
	c.password = password
	// Outside the test's temporary directory, which may be one only root can enter.
	if c.dir, err = os.MkdirTemp("", "dbcollab-pgtest-"); err != nil {
		return nil, err
	}
	if out, err := exec.Command("cp", "-a", tmpl, c.data()).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copy the template cluster: %v\n%s", err, out)
	}
	if err := c.own(c.dir); err != nil {
		return nil, err
	}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	return c, c.startServer()
}

// template returns a data directory initdb made once for these binaries, kept in the
// user's cache, and its superuser's password: copying it costs a fraction of initdb.
func (c *Cluster) template() (string, string, error) {
	// As root, where the postgres user can reach: not under root's home.
	cache, err := os.UserCacheDir()
	if err != nil || c.asPostgres {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "dbcollab-pgtest", strings.ReplaceAll(strings.Trim(c.bin, "/"), "/", "_"))
	if pw, err := os.ReadFile(filepath.Join(dir, "password")); err == nil {
		return filepath.Join(dir, "data"), string(pw), nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "making-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	b := make([]byte, 16)
	rand.Read(b)
	password := hex.EncodeToString(b)
	pwfile := filepath.Join(tmp, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return "", "", err
	}
	if err := c.own(tmp); err != nil {
		return "", "", err
	}
	if err := c.run("initdb", "-D", filepath.Join(tmp, "data"), "-U", AdminUser, "--auth-local=trust", "--auth-host=scram-sha-256",
		"--pwfile="+pwfile, "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"); err != nil {
		return "", "", err
	}
	// The password file last: its presence says the template is complete.
	if err := os.WriteFile(filepath.Join(tmp, "password"), []byte(password), 0o600); err != nil {
		return "", "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another test binary made it first: use theirs.
		if pw, readErr := os.ReadFile(filepath.Join(dir, "password")); readErr == nil {
			return filepath.Join(dir, "data"), string(pw), nil
		}
		return "", "", err
	}
	return filepath.Join(dir, "data"), password, nil
}

// startServer starts the server, made for speed rather than durability (a crash loses
// a throwaway cluster anyway). 1000 connections: with DBCOLLAB_TEST_STORE=postgres the
// hostile-input test keeps a store per route open, and 200 ran out.
func (c *Cluster) startServer() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000",
		c.port, c.dir)
	return c.run("pg_ctl", "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "start")
}

func (c *Cluster) run(name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	cmd := exec.Command(path, args...)
	if c.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", AdminUser, "--", path}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}

// own gives dir and its files to the postgres user when running as root.
func (c *Cluster) own(dir string) error {
	if !c.asPostgres {
		return nil
	}
	u, err := user.Lookup(AdminUser)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	})
}

// binDir finds the PostgreSQL binaries: on the PATH, or Debian's newest.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(a) - versionOf(b) })
	for _, d := range slices.Backward(dirs) {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb on the PATH nor in /usr/lib/postgresql/*/bin")
}

func versionOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
