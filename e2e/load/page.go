package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// signIn logs in through the log-in form as a browser does (Sec-Fetch-Site, no token)
// and returns the Cookie header that keeps the session.
func signIn(ctx context.Context, base, email, password string) (string, error) {
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	var cookies []string
	for _, c := range resp.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	if resp.StatusCode != http.StatusSeeOther || len(cookies) == 0 {
		return "", fmt.Errorf("log in as %s: status %d, %d cookies", email, resp.StatusCode, len(cookies))
	}
	return strings.Join(cookies, "; "), nil
}

// fetched is one answer, its body decompressed.
type fetched struct {
	status  int
	header  http.Header
	body    []byte
	encoded int // bytes on the wire
}

// fetch GETs base+path as the signed-in browser, without following redirects.
func fetch(ctx context.Context, base, path, cookies string, header http.Header) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fetched{}, err
	}
	req.Header = browserHeaders(cookies)
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fetched{}, err
	}
	f := fetched{status: resp.StatusCode, header: resp.Header, body: raw, encoded: len(raw)}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return fetched{}, fmt.Errorf("GET %s: %w", path, err)
		}
		if f.body, err = io.ReadAll(zr); err != nil {
			return fetched{}, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	if f.status != http.StatusOK {
		return f, fmt.Errorf("GET %s: status %d", path, f.status)
	}
	return f, nil
}

// pageReport is what the demo-sized tab weighs and asks for.
type pageReport struct {
	html, css, js fetched
	cssURL, jsURL string
	thirdParty    []string
	rows          int
	csp           string
}

func (p pageReport) total() int { return len(p.html.body) + len(p.css.body) + len(p.js.body) }

// inspectTab loads a Collaborators tab with its stylesheet and script.
func inspectTab(ctx context.Context, base, path, cookies string) (pageReport, error) {
	var p pageReport
	var err error
	if p.html, err = fetch(ctx, base, path, cookies, nil); err != nil {
		return p, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html.body))
	if err != nil {
		return p, err
	}
	p.rows = doc.Find(`[data-testid=collaborator-row]`).Length()
	p.cssURL, _ = doc.Find(`link[rel=stylesheet]`).Attr("href")
	p.jsURL, _ = doc.Find(`script[src]`).Attr("src")
	if p.cssURL == "" || p.jsURL == "" {
		return p, fmt.Errorf("GET %s: no stylesheet or script", path)
	}
	if p.css, err = fetch(ctx, base, p.cssURL, cookies, nil); err != nil {
		return p, err
	}
	if p.js, err = fetch(ctx, base, p.jsURL, cookies, nil); err != nil {
		return p, err
	}
	p.thirdParty = thirdParty(base, doc, string(p.css.body), string(p.js.body))
	p.csp = p.html.header.Get("Content-Security-Policy")
	return p, nil
}

var (
	cssURL    = regexp.MustCompile(`url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)`)
	absoluteJ = regexp.MustCompile(`(?:https?:)?//[A-Za-z0-9.-]+`)
)

// thirdParty lists what the page would load from anywhere but base: every URL a
// browser fetches by itself (src, srcset, link href, object data, CSS url() and
// @import) and any absolute URL in the script.
func thirdParty(base string, doc *goquery.Document, css, js string) []string {
	var refs []string
	doc.Find(`[src], [srcset], link[href], object[data]`).Each(func(_ int, s *goquery.Selection) {
		attrs := []string{"src", "srcset", "data"}
		if goquery.NodeName(s) == "link" {
			attrs = append(attrs, "href")
		}
		for _, attr := range attrs {
			if v, ok := s.Attr(attr); ok {
				refs = append(refs, strings.Fields(v)...)
			}
		}
	})
	for _, m := range cssURL.FindAllStringSubmatch(css, -1) {
		refs = append(refs, m[1]+m[2])
	}
	refs = append(refs, absoluteJ.FindAllString(js, -1)...)
	own, _ := url.Parse(base)
	var out []string
	for _, ref := range refs {
		u, err := url.Parse(ref)
		if err != nil || (u.Host != "" && u.Host != own.Host) || (u.Scheme != "" && u.Scheme != own.Scheme && u.Scheme != "data") {
			out = append(out, ref)
		}
	}
	return out
}

// longLived reports whether a Cache-Control header lets browsers keep the answer a year
// without asking again.
func longLived(cacheControl string) bool {
	immutable, maxAge := false, 0
	for _, d := range strings.Split(cacheControl, ",") {
		d = strings.TrimSpace(d)
		if d == "immutable" {
			immutable = true
		}
		if v, ok := strings.CutPrefix(d, "max-age="); ok {
			maxAge, _ = strconv.Atoi(v)
		}
	}
	return immutable && maxAge >= 365*24*60*60
}
