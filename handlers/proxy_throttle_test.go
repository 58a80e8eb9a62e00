package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dbcollab/handlers"
)

// trustProxies serves the dashboard as if behind the reverse proxies listed.
func trustProxies(list string) harnessOption {
	return func(s *handlers.Server) {
		proxies, err := handlers.ParseTrustedProxies(list)
		if err != nil {
			panic(err)
		}
		s.TrustedProxies = proxies
	}
}

// forwardedFor is what a reverse proxy adds for a client at addr.
func forwardedFor(addr string) http.Header { return http.Header{"X-Forwarded-For": {addr}} }

// loginFrom posts the log-in form as the proxy forwards it from addr.
func (a *actor) loginFrom(addr, email, pw string) *response {
	a.h.t.Helper()
	form := url.Values{"email": {email}, "password": {pw}, "_csrf": {a.token()}}
	return a.post("/login", form, forwardedFor(addr))
}

// apiLoginFrom asks for an API token, as the CLI's log-in does, forwarded from addr.
func (a *actor) apiLoginFrom(addr, email, pw string) *response {
	a.h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.h.url+"/v1/tokens", strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, email, pw)))
	if err != nil {
		a.h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	return a.send(req)
}

// The attack of the review: behind a reverse proxy every request came from the proxy's
// address, so 21 failed log-ins with random e-mails locked everyone out, the owner's
// browser and CLI included. With the proxy trusted, each client is counted apart; and
// even sharing the attacker's address (one office NAT), the owner's browser with its
// device cookie and the CLI from an address it logged in from before get in at once.
func TestBehindATrustedProxyStrangersFailuresDoNotKeepTheOwnerOut(t *testing.T) {
	clock := newTestClock()
	h := newHarness(t, clock.option(), trustProxies("127.0.0.1/32"))
	const office = "198.51.100.10"
	browser := h.anonymous()
	browser.loginFrom(office, h.owner.Email, password).expectRedirect("/")
	browser.postWithToken("/logout", nil, browser.token()).expectRedirect("/login")
	cli := h.anonymous()
	if r := cli.apiLoginFrom(office, h.owner.Email, password); r.status != http.StatusCreated {
		t.Fatalf("the CLI's first log-in: %d %s", r.status, r.body)
	}

	attacker := h.anonymous()
	for i := range 21 {
		attacker.loginFrom(fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("random%d@example.com", i), "guess").expectStatus(http.StatusUnauthorized)
	}
	h.anonymous().loginFrom("192.0.2.50", h.collaborator.Email, password).expectRedirect("/")

	for i := range 21 {
		attacker.loginFrom(office, fmt.Sprintf("other%d@example.com", i), "guess")
	}
	h.anonymous().loginFrom(office, h.collaborator.Email, password).expectStatus(http.StatusTooManyRequests)
	browser.loginFrom(office, h.owner.Email, password).expectRedirect("/")
	if r := cli.apiLoginFrom(office, h.owner.Email, password); r.status != http.StatusCreated {
		t.Fatalf("the CLI from the office after the attack: %d %s", r.status, r.body)
	}
}

// A proxy that is not listed is a client like any other: its X-Forwarded-For is its own
// words, and its clients share its address.
func TestForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	clock := newTestClock()
	h := newHarness(t, clock.option(), trustProxies("10.0.0.0/8"))
	attacker := h.anonymous()
	for i := range 20 {
		attacker.loginFrom(fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("random%d@example.com", i), "guess").expectStatus(http.StatusUnauthorized)
	}
	h.anonymous().loginFrom("192.0.2.50", h.collaborator.Email, password).expectStatus(http.StatusTooManyRequests)
}
