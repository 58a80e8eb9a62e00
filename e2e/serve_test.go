package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestServeWithoutDemo starts the binary on an empty database without --demo: it
// serves, has no demo account, and (as every app of these tests) stops on SIGTERM
// with exit code 0. No browser is needed.
func TestServeWithoutDemo(t *testing.T) {
	a := startApp(t, false)

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(a.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("GET / as nobody: %d to %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A browser's same-origin form post: the CSRF check takes Sec-Fetch-Site.
	form := url.Values{"email": {"user1@example.com"}, "password": {demoPassword}}
	req, err := http.NewRequest(http.MethodPost, a.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "Wrong e-mail or password") {
		t.Errorf("logging in as a demo account without --demo: %d, want 401 and the wrong-credentials message:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(a.Output(), "Demo data") {
		t.Errorf("without --demo the binary printed the demo accounts:\n%s", a.Output())
	}
}
