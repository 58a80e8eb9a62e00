package server

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
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
