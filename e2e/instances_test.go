package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dbcollab/internal/pgtest"
	"dbcollab/links"
)

// Issue 13: several dbcollab processes on one PostgreSQL store behave as one.

// instanceFlags are the serve flags of every instance of these tests: no invitation
// limit, so that the loads are not refused.
var instanceFlags = []string{"--invite-limit", "0", "--invite-limit-per-inviter", "0", "--invite-limit-per-recipient", "0"}

// twoInstances starts A (with the demo data) then B on one fresh PostgreSQL store,
// both sending e-mail to sink; it returns the store's URL too.
func twoInstances(t *testing.T, smtpAddr string) (a, b *serverProcess, db string) {
	t.Helper()
	db = freshPostgresStore(t)
	a = startServer(t, db, smtpAddr, append([]string{"--demo"}, instanceFlags...)...)
	b = startServer(t, db, smtpAddr, instanceFlags...)
	return a, b, db
}

// stageOn is a browser stage on an already running process.
func stageOn(t *testing.T, p *serverProcess, mail *mailSink) *stage {
	t.Helper()
	sharedBrowser(t)
	return &stage{t: t, app: &app{URL: p.URL, Mail: mail, out: p.out}, dir: t.TempDir()}
}

// collaboratorID is the ID the API gives email's row on db.
func collaboratorID(t *testing.T, baseURL, token, db, email string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, baseURL+links.APICollaborators(db), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Collaborators []struct {
			ID    int64
			Email string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, c := range out.Collaborators {
		if c.Email == email {
			return c.ID
		}
	}
	t.Fatalf("%s is not listed on %s", email, db)
	return 0
}

// TestInstancesARevocationOnOneHoldsOnTheOthersNextRequest: the owner invites on A, the
// invitee accepts through B and views the tab there (now in B's cache), the owner
// revokes on A: B answers 404 on the invitee's very next request.
func TestInstancesARevocationOnOneHoldsOnTheOthersNextRequest(t *testing.T) {
	mail := startMailSink(t)
	a, b, _ := twoInstances(t, mail.Addr)
	onA, onB := stageOn(t, a, mail), stageOn(t, b, mail)

	owner := onA.newUser("user1", true)
	owner.logIn("user1@example.com", demoPassword)
	owner.openCollaborators(demoDB)
	owner.invite("user4@example.com", demoDB)
	link := checkInvitation(t, mail.waitFor(t, "user4@example.com"), a.URL, demoDB, "user1")

	user4 := onB.newUser("user4", true)
	user4.logIn("user4@example.com", demoPassword)
	user4.navigate("open the invitation link on B", http.StatusOK, chromedp.Navigate(strings.Replace(link, a.URL, b.URL, 1)))
	user4.navigate("click Accept", http.StatusOK, chromedp.Click(button("Accept")))
	user4.expectFlash("You now collaborate on " + demoDB)
	user4.openCollaborators(demoDB)
	user4.open(links.Collaborators(demoDB), http.StatusOK) // from B's cache this time

	token := apiToken(t, a.URL, "user1@example.com", demoPassword)
	id := collaboratorID(t, a.URL, token, demoDB, "user4@example.com")
	req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%s%s/%d", a.URL, links.APICollaborators(demoDB), id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("revoke user4 on A: %d, want 2xx", resp.StatusCode)
	}
	user4.open(links.Collaborators(demoDB), http.StatusNotFound)
}

// TestInstancesSendEveryEmailOnce: 20 invitations, half through each instance,
// while both run their senders: 20 e-mails reach the SMTP server, each once.
func TestInstancesSendEveryEmailOnce(t *testing.T) {
	mail := startMailSink(t)
	a, b, _ := twoInstances(t, mail.Addr)
	token := apiToken(t, a.URL, "user1@example.com", demoPassword)
	client := &http.Client{Timeout: 10 * time.Second}
	var addresses []string
	for i := range 20 {
		address := fmt.Sprintf("once-%02d@example.com", i)
		addresses = append(addresses, address)
		via := []*serverProcess{a, b}[i%2]
		if status, err := invite(client, via.URL, token, demoDB, address); err != nil || status != http.StatusCreated {
			t.Fatalf("invite %s through %s: %d %v, want 201", address, via.URL, status, err)
		}
	}
	for _, address := range addresses {
		mail.waitFor(t, address)
	}
	// Long enough for a second sender to deliver what it wrongly claimed too.
	time.Sleep(2 * time.Second)
	for _, address := range addresses {
		if n := mail.count(address); n != 1 {
			t.Errorf("%d e-mails to %s, want 1", n, address)
		}
	}
}

// TestInstancesKillingOneMidLoadLosesNothingAcknowledged kills A with SIGKILL while 8
// clients invite through it: every invitation A acknowledged is listed once by B, B
// keeps serving, and every acknowledged invitation's e-mail is delivered.
func TestInstancesKillingOneMidLoadLosesNothingAcknowledged(t *testing.T) {
	mail := startMailSink(t)
	a, b, _ := twoInstances(t, mail.Addr)
	token := apiToken(t, a.URL, "user1@example.com", demoPassword)

	load := startInviteLoad(a.URL, token, demoDB, 8, 150)
	waitUntil(t, 30*time.Second, "invitations acknowledged before the kill", func() bool { return load.acked() >= 100 })
	a.kill(t)
	got := load.wait()
	for email, status := range got.Refused {
		t.Errorf("invitation of %s under load: status %d, want 201", email, status)
	}
	listed := listedCollaborators(t, b.URL, token, demoDB)
	for _, email := range got.Acked {
		if listed[email] != 1 {
			t.Errorf("acknowledged invitation of %s: listed %d times by B, want 1", email, listed[email])
		}
	}
	if status, err := invite(&http.Client{Timeout: 10 * time.Second}, b.URL, token, demoDB, "after@example.com"); err != nil || status != http.StatusCreated {
		t.Errorf("B after A's kill: invite %d %v, want 201", status, err)
	}
	// A's claims lapse: B sends what A had not.
	waitUntil(t, time.Minute, "every acknowledged invitation's e-mail is delivered", func() bool {
		for _, email := range got.Acked {
			if mail.count(email) == 0 {
				return false
			}
		}
		return mail.count("after@example.com") == 1
	})
	t.Logf("%d invitations acknowledged by A before SIGKILL, each listed once by B; %d cut", len(got.Acked), len(got.Cut))
}

// balancer sends each request to the next instance, and to the other one when an
// instance refuses the connection, as a load balancer in front of them does.
type balancer struct {
	mu   sync.Mutex
	urls []string
	next int
}

func (lb *balancer) set(i int, url string) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.urls[i] = url
}

// do sends the request made by newReq, moving on to the next instance on a connection
// it refused (see refused); it fails only once every instance refused it.
func (lb *balancer) do(client *http.Client, newReq func(base string) (*http.Request, error)) (*http.Response, error) {
	lb.mu.Lock()
	first := lb.next
	lb.next++
	urls := append([]string(nil), lb.urls...)
	lb.mu.Unlock()
	var err error
	for i := range urls {
		req, reqErr := newReq(urls[(first+i)%len(urls)])
		if reqErr != nil {
			return nil, reqErr
		}
		var resp *http.Response
		if resp, err = client.Do(req); err == nil || !refused(err) {
			return resp, err
		}
	}
	return nil, err
}

// refused reports whether err is a connection the instance never took: a failure to
// connect, or a connection closed before any answer. An instance stopping on SIGTERM
// answers every request it has read, so one it closes unanswered is one its kernel had
// queued and it never accepted (reset when it closes its listener): the request was not
// read, and another instance may take it. Were that not so, the invitation sent again
// would be refused as already invited, which the test counts as a failure.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// TestInstancesRollingRestartUnderLoadFailsNoRequest stops A gracefully, starts it again, then
// does the same with B, while 8 clients invite through a balancer that retries a
// refused connection on the other instance: no request fails, and every invitation is
// stored once.
func TestInstancesRollingRestartUnderLoadFailsNoRequest(t *testing.T) {
	mail := startMailSink(t)
	a, b, db := twoInstances(t, mail.Addr)
	token := apiToken(t, a.URL, "user1@example.com", demoPassword)
	lb := &balancer{urls: []string{a.URL, b.URL}}

	var (
		stop            atomic.Bool
		wg              sync.WaitGroup
		mu              sync.Mutex
		acked, failures []string
	)
	for c := range 8 {
		// A new connection per request: a kept-alive one to a stopping instance is closed
		// under the client, which is not what a balancer's client sees.
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				email := fmt.Sprintf("rolling-%d-%d@example.com", c, n)
				body := fmt.Sprintf(`{"collaborator":{"email":%q}}`, email)
				resp, err := lb.do(client, func(base string) (*http.Request, error) {
					req, err := http.NewRequest(http.MethodPost, base+links.APICollaborators(demoDB), strings.NewReader(body))
					if err == nil {
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+token)
					}
					return req, err
				})
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, fmt.Sprintf("%s: %v", email, err))
				case resp.StatusCode != http.StatusCreated:
					failures = append(failures, fmt.Sprintf("%s: status %d", email, resp.StatusCode))
				default:
					acked = append(acked, email)
				}
				mu.Unlock()
				if resp != nil {
					resp.Body.Close()
				}
			}
		})
	}
	ackedNow := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	settle := func(what string) {
		t.Helper()
		n := ackedNow()
		waitUntil(t, 30*time.Second, what, func() bool { return ackedNow() >= n+50 })
	}

	settle("invitations through both instances")
	for i, p := range []*serverProcess{a, b} {
		p.stop(t, syscall.SIGTERM)
		settle("invitations while one instance is down")
		restarted := startServer(t, db, mail.Addr, instanceFlags...)
		lb.set(i, restarted.URL)
		settle("invitations after the restart")
	}
	stop.Store(true)
	wg.Wait()

	for _, f := range failures {
		t.Errorf("failed request during the rolling restart: %s", f)
	}
	listed := listedCollaborators(t, lb.urls[0], token, demoDB)
	for _, email := range acked {
		if listed[email] != 1 {
			t.Errorf("acknowledged invitation of %s: listed %d times, want 1", email, listed[email])
		}
	}
	t.Logf("%d invitations during a rolling restart of 2 instances, %d failed", len(acked), len(failures))
}

// freshPostgresStore is the URL of a new, empty database on the test cluster.
func freshPostgresStore(t *testing.T) string {
	t.Helper()
	return pgtest.Database(t)
}
