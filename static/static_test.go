package static

import (
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                       false,
		"gzip":                   true,
		"deflate, gzip;q=1.0, *": true,
		"GZIP; q=0.5":            true,
		"gzip;q=0":               false,
		"gzip; q=0.000, br":      false,
		"br, identity":           false,
		"x-gzip-like":            false,
	} {
		if got := AcceptsGzip(header); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestAssetsAreServedWithoutCommentsOrIndentation: the stylesheet and the script are
// served without the comments and indentation kept in their files for their readers,
// and nothing else is lost: every other line of the file is served as it is, trimmed.
func TestAssetsAreServedWithoutCommentsOrIndentation(t *testing.T) {
	for _, name := range []string{"app.css", "app.js"} {
		file, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		served := string(assets[name].body)
		t.Logf("%s: %d bytes served of %d", name, len(served), len(file))
		if strings.Contains(served, "/*") || strings.Contains(served, "\n ") || strings.Contains(served, "\n//") || strings.Contains(served, "\n\n") {
			t.Errorf("%s is served with comments or indentation", name)
		}
		for _, line := range strings.Split(cssComment.ReplaceAllString(string(file), ""), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "//") && !strings.Contains(served, line) {
				t.Errorf("%s: the line %q is not served", name, line)
			}
		}
	}
}
