package server

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"dbcollab/internal/teststore"

	_ "modernc.org/sqlite"
)

func TestSessionSecretFileIsReadOrRefusedWithAClearError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secretFile, emptyFile := write("secret", "s3cret-from-a-file\n"), write("empty", " \n")
	for _, c := range []struct {
		name    string
		cfg     Config
		want    string
		wantErr string
	}{
		{"flag", Config{SessionSecret: "s3cret"}, "s3cret", ""},
		{"file, trailing newline dropped", Config{SessionSecretFile: secretFile}, "s3cret-from-a-file", ""},
		{"neither", Config{}, "", ""},
		{"both", Config{SessionSecret: "s3cret", SessionSecretFile: secretFile}, "",
			"--session-secret and --session-secret-file cannot be used together"},
		{"empty file", Config{SessionSecretFile: emptyFile}, "", "--session-secret-file: " + emptyFile + " is empty"},
		{"missing file", Config{SessionSecretFile: filepath.Join(dir, "missing")}, "",
			"--session-secret-file: open " + filepath.Join(dir, "missing") + ": no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := sessionSecret(c.cfg)
			if gotErr := errString(err); got != c.want || gotErr != c.wantErr {
				t.Errorf("sessionSecret = %q, %q; want %q, %q", got, gotErr, c.want, c.wantErr)
			}
		})
	}
}

// With the secret in its own file, the database file holds nothing that makes session
// cookies: keys derive from the file's secret, and none is generated into the store.
func TestSessionSecretFromAFileIsNotKeptInTheDatabase(t *testing.T) {
	st, dsn := teststore.Open(t)
	k, err := secretKeys(t.Context(), st, "s3cret-from-a-file")
	if err != nil {
		t.Fatal(err)
	}
	other, err := secretKeys(t.Context(), st, "another-secret")
	if err != nil || string(k.sessionHash) == string(other.sessionHash) {
		t.Fatalf("keys do not depend on the secret (%v)", err)
	}
	var n int
	if err := teststore.SQL(t, dsn).QueryRow(`SELECT count(*) FROM settings`).Scan(&n); err != nil || n != 0 {
		t.Errorf("settings hold %d rows (%v); want none", n, err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Configuration errors stop the start before anything is opened or served.
func TestRunRefusesABadConfigurationAtStart(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{TrustedProxies: "10.0.0.0/8,proxy.example.com"}, `--trusted-proxies: "proxy.example.com" is not a CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32`},
		{Config{SessionSecret: "s3cret", SessionSecretFile: filepath.Join(dir, "secret")}, "--session-secret and --session-secret-file cannot be used together"},
	} {
		c.cfg.DBPath, c.cfg.Addr = filepath.Join(dir, "dbcollab.db"), "127.0.0.1:0"
		err := Run(t.Context(), c.cfg, slog.New(slog.DiscardHandler), io.Discard)
		if errString(err) != c.want {
			t.Errorf("Run(%+v) = %v, want %q", c.cfg, err, c.want)
		}
		if _, err := os.Stat(c.cfg.DBPath); err == nil {
			t.Errorf("Run(%+v) created the database before refusing", c.cfg)
		}
	}
}
