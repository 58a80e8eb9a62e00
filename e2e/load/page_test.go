package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestThirdPartyFindsWhatABrowserWouldFetchElsewhere(t *testing.T) {
	html := `<html><head>
		<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="https://cdn.example.net/i.png">
		<script src="/static/app.js"></script><script src="//evil.example.org/x.js"></script>
		</head><body>
		<a href="https://example.com/docs">a link is no request</a>
		<img src="data:image/png;base64,AAAA"><img srcset="/a.png 1x, https://img.example.net/b.png 2x">
		<form action="https://elsewhere.example/post"></form>
		</body></html>`
	css := `body { background: url("https://fonts.example.net/bg.png") } @import "/static/more.css"; .x { background: url(/ok.png) }`
	js := `fetch("/v1/x"); new Image().src = "https://tracker.example.net/p";`
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	got := thirdParty("http://127.0.0.1:8080", doc, css, js)
	want := []string{"https://cdn.example.net/i.png", "//evil.example.org/x.js", "https://img.example.net/b.png",
		"https://fonts.example.net/bg.png", "https://tracker.example.net"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("thirdParty:\n got %q\nwant %q", got, want)
	}
}

func TestLongLivedWantsAYearAndImmutable(t *testing.T) {
	for header, want := range map[string]bool{
		"public, max-age=31536000, immutable": true,
		"max-age=31536000":                    false,
		"public, max-age=3600, immutable":     false,
		"no-store":                            false,
	} {
		if got := longLived(header); got != want {
			t.Errorf("longLived(%q) = %v, want %v", header, got, want)
		}
	}
}
