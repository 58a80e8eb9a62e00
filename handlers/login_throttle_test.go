package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/handlers"
	"dbcollab/service"
)

// testClock is the service's clock. It stands still unless the test moves it, so that
// a wait reads the same in every answer.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// option installs the clock before the server starts.
func (c *testClock) option() harnessOption {
	return func(s *handlers.Server) { s.Service.Now = c.now }
}

const wrongCredentials = "Wrong e-mail or password"

func TestLoginIsThrottledFromTheFifthFailureAlikeForUnknownAndKnownAccounts(t *testing.T) {
	clock := newTestClock()
	h := newHarness(t, clock.option())
	var previous []*response
	for _, email := range []string{h.owner.Email, "nobody@example.com"} {
		var answers []*response
		for i := range 5 {
			r := h.anonymous().login(email, "wrong-password-"+fmt.Sprint(i)).expectStatus(http.StatusUnauthorized)
			if got := r.text("[data-testid=form-error]"); got != wrongCredentials {
				t.Fatalf("%s, failure %d: %q", email, i+1, got)
			}
			answers = append(answers, r)
		}
		// Even the right password waits now; the page says how long and keeps the address.
		r := h.anonymous().login(email, password).expectStatus(http.StatusTooManyRequests)
		if got, want := r.text("[data-testid=form-error]"), "Too many failed log-in attempts; try again in 1 second"; got != want {
			t.Errorf("%s: %q, want %q", email, got, want)
		}
		if got := r.header.Get("Retry-After"); got != "1" {
			t.Errorf("%s: Retry-After %q, want 1", email, got)
		}
		r.expectField("Email", email)
		expectHardened(t, r, false)
		answers = append(answers, r)

		// Unknown and known addresses get the same answers, the typed address aside.
		if previous != nil {
			for i := range answers {
				a, b := strings.ReplaceAll(previous[i].body, h.owner.Email, "{email}"), strings.ReplaceAll(answers[i].body, email, "{email}")
				if previous[i].status != answers[i].status || stripCSRF(a) != stripCSRF(b) {
					t.Errorf("answer %d differs between a known and an unknown address:\n%s\n---\n%s", i+1, a, b)
				}
			}
		}
		previous = answers
	}

	clock.advance(time.Second)
	h.anonymous().login(h.owner.Email, password).expectRedirect("/")
}

// csrfTokenValue is a page's CSRF token, which differs from browser to browser.
var csrfTokenValue = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

func stripCSRF(page string) string { return csrfTokenValue.ReplaceAllString(page, `name="_csrf"`) }

// Someone failing on purpose keeps the account waiting, but not its owner's browser.
func TestLoginFromABrowserThatLoggedInBeforeIsNotKeptOut(t *testing.T) {
	clock := newTestClock()
	h := newHarness(t, clock.option())
	ownersBrowser := h.anonymous()
	r := ownersBrowser.login(h.owner.Email, password).expectRedirect("/")
	var device *http.Cookie
	for _, c := range r.cookies {
		if c.Name == "dbcollab_device" {
			device = c
		}
	}
	if device == nil || !device.HttpOnly || device.SameSite != http.SameSiteStrictMode || device.Path != "/login" {
		t.Fatalf("log-in set the device cookie %+v; want HttpOnly, SameSite=Strict, Path=/login", device)
	}
	ownersBrowser.postWithToken("/logout", nil, ownersBrowser.token()).expectRedirect("/login")

	attacker := h.anonymous()
	for i := range 10 {
		attacker.login(h.owner.Email, fmt.Sprintf("guess-%d", i))
	}
	attacker.login(h.owner.Email, password).expectStatus(http.StatusTooManyRequests)
	h.anonymous().login(h.owner.Email, password).expectStatus(http.StatusTooManyRequests)
	ownersBrowser.login(h.owner.Email, password).expectRedirect("/")

	// The device cookie vouches for its own account only.
	ownersBrowser.postWithToken("/logout", nil, ownersBrowser.token()).expectRedirect("/login")
	for i := range 5 {
		ownersBrowser.login(h.collaborator.Email, fmt.Sprintf("guess-%d", i))
	}
	ownersBrowser.login(h.collaborator.Email, password).expectStatus(http.StatusTooManyRequests)
}

// The client address is the peer's: headers a client writes itself do not spread its
// failures over made-up addresses.
func TestLoginThrottleIgnoresForwardedForHeaders(t *testing.T) {
	clock := newTestClock()
	h := newHarness(t, clock.option())
	a := h.anonymous()
	token := a.token()
	spoof := func(i int) http.Header {
		ip := fmt.Sprintf("203.0.113.%d", i)
		return http.Header{"X-Forwarded-For": {ip}, "X-Real-Ip": {ip}}
	}
	for i := range 20 {
		form := url.Values{"email": {fmt.Sprintf("someone%d@example.com", i)}, "password": {"guess"}, "_csrf": {token}}
		a.post("/login", form, spoof(i)).expectStatus(http.StatusUnauthorized)
	}
	form := url.Values{"email": {h.owner.Email}, "password": {password}, "_csrf": {token}}
	a.post("/login", form, spoof(99)).expectStatus(http.StatusTooManyRequests)
}

func TestAPITokenCreateIsThrottledLikeTheLogInForm(t *testing.T) {
	clock := newTestClock()
	h := newHarness(t, clock.option())
	a := h.anonymous()
	credentials := func(pw string) string {
		return fmt.Sprintf(`{"email": %q, "password": %q}`, h.owner.Email, pw)
	}
	for range 5 {
		r := a.api(http.MethodPost, "/v1/tokens", "", credentials("wrong-password"))
		if r.status != http.StatusUnauthorized || r.body != `{"error":"Wrong e-mail or password"}`+"\n" {
			t.Fatalf("wrong password: %d %s", r.status, r.body)
		}
	}
	r := a.api(http.MethodPost, "/v1/tokens", "", credentials(password))
	if r.status != http.StatusTooManyRequests || r.body != `{"error":"Too many failed log-in attempts; try again in 1 second"}`+"\n" {
		t.Fatalf("the right password after 5 failures: %d %s", r.status, r.body)
	}
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if tokens, err := h.svc.APITokens(t.Context(), h.owner.ID); err != nil || len(tokens) != 0 {
		t.Fatalf("tokens %+v, %v; want none", tokens, err)
	}
	// One account, one count: the log-in form waits too.
	a.login(h.owner.Email, password).expectStatus(http.StatusTooManyRequests)

	clock.advance(time.Second)
	if r := a.api(http.MethodPost, "/v1/tokens", "", credentials(password)); r.status != http.StatusCreated {
		t.Fatalf("after the wait: %d %s", r.status, r.body)
	}
}

// BenchmarkLogInRefusal measures how long a refused log-in takes at the default bcrypt
// cost, for an unknown address and for a known address with a wrong password,
// alternately, each from another client address and on another account so that the
// throttle stays out of it. It reports each median; the two answers must not tell one
// case from the other, in words or in time:
//
//	go test ./handlers -run '^$' -bench LogInRefusal -benchtime 20x
func BenchmarkLogInRefusal(b *testing.B) {
	benchAlikeAnswers(b, "/login", http.StatusUnauthorized, [2]string{"ms-median-unknown-address", "ms-median-wrong-password"},
		func(i int) string { return fmt.Sprintf("unknown%d@example.com", i) },
		func(_, _ int, email string) url.Values {
			return url.Values{"email": {email}, "password": {"wrong-password"}}
		})
}

// benchAlikeAnswers posts form(i, j, email) to path for an address of no account (j = 0,
// from absent(i)) and for one of a fresh account (j = 1), alternately, each from another
// client address so that the throttle stays out of it; both must answer status with the
// same words, and it reports the median time of each as metrics[j].
func benchAlikeAnswers(b *testing.B, path string, status int, metrics [2]string,
	absent func(i int) string, form func(i, j int, email string) url.Values) {
	p := newInProcess(b, bcrypt.DefaultCost)
	var took [2][]time.Duration
	var bodies [2]string
	for i := 0; b.Loop(); i++ {
		known := fmt.Sprintf("known%d@example.com", i)
		if _, err := p.svc.Signup(b.Context(), service.SignupInput{Email: known, Username: fmt.Sprintf("known%d", i), Password: password}); err != nil {
			b.Fatal(err)
		}
		for j, email := range []string{absent(i), known} {
			req := p.request(http.MethodPost, path, "application/x-www-form-urlencoded", form(i, j, email).Encode(), false)
			req.RemoteAddr = fmt.Sprintf("198.51.100.%d:4321", (2*i+j)%250)
			start := time.Now()
			rec := p.serve(req)
			took[j] = append(took[j], time.Since(start))
			if rec.Code != status {
				b.Fatalf("%s: %d", email, rec.Code)
			}
			bodies[j] = strings.ReplaceAll(rec.Body.String(), email, "{email}")
		}
		if bodies[0] != bodies[1] {
			b.Fatalf("the answers differ:\n%s\n---\n%s", bodies[0], bodies[1])
		}
	}
	for j, metric := range metrics {
		b.ReportMetric(float64(median(took[j]))/1e6, metric)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
