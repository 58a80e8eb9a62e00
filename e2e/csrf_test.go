package e2e

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTossedCSRFCookieInTheBrowser is issue 10's attack: a page on another port of the
// dashboard's host plants a dbcollab_csrf cookie for the settings path and posts the
// invite form with the planted token. Chromium sends it as same-site, with its Origin and
// the owner's session cookie: the dashboard refuses it and invites no one.
func TestTossedCSRFCookieInTheBrowser(t *testing.T) {
	t.Parallel()
	s := newStage(t, true)
	token := strings.Repeat("A", 32)
	action := s.app.URL + "/databases/" + demoDB + "/settings/collaborators"
	neighbour := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "dbcollab_csrf", Value: token, Path: "/databases/" + demoDB + "/settings"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Prize</title><form method="post" action="%s">
<input type="hidden" name="_csrf" value="%s"><input type="hidden" name="email" value="tossed@example.com">
<button type="submit">Claim the prize</button></form>`, html.EscapeString(action), token)
	}))
	t.Cleanup(neighbour.Close)
	if !strings.HasPrefix(s.app.URL, "http://127.0.0.1:") || !strings.HasPrefix(neighbour.URL, "http://127.0.0.1:") {
		t.Fatalf("the neighbour %s is not on the dashboard's host %s", neighbour.URL, s.app.URL)
	}

	owner := s.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.navigate("visit the neighbour's page", http.StatusOK, chromedp.Navigate(neighbour.URL))
	owner.navigate("claim the prize", http.StatusForbidden, chromedp.Click(button("Claim the prize")))
	owner.expectText("Request refused")
	owner.screenshot("tossed-cookie-refused")

	owner.openCollaborators(demoDB)
	owner.expectNoRow("tossed@example.com")
	s.app.Mail.expectMailCount(t, "tossed@example.com", 0)
}
