package static

import "testing"

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
