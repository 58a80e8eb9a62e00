package e2e

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	_ "modernc.org/sqlite"

	"dbcollab/internal/testkit"
)

// The crash, SMTP outage and graceful stop tests run the binary as an operator does: on
// a database file that outlives the process, stopped by a signal or killed, then started
// again. This file is their harness, next to startApp (one process per test, stopped at
// its end) and mailSink (always up).

// serverProcess is one `dbcollab serve` on a database file the test keeps.
type serverProcess struct {
	URL    string
	cmd    *exec.Cmd
	out    *testkit.SyncBuffer
	exited chan struct{}
	// waitErr is cmd.Wait's result, once exited is closed.
	waitErr error
}

// startServer runs `dbcollab serve` on dbPath, sending e-mail to smtpAddr, and waits
// until /healthz answers. A process the test has not stopped by its end is killed.
func startServer(t *testing.T, dbPath, smtpAddr string, flags ...string) *serverProcess {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--addr", addr, "--db", dbPath, "--smtp-url", "smtp://" + smtpAddr}, flags...)
	p := &serverProcess{URL: "http://" + addr, cmd: exec.Command(binary, args...), out: &testkit.SyncBuffer{}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if !p.hasExited() {
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("output of dbcollab on %s:\n%s", addr, p.out)
		}
	})

	waitUntil(t, 15*time.Second, "GET /healthz answers 200", func() bool {
		if p.hasExited() {
			t.Fatalf("dbcollab exited before it served: %v\n%s", p.waitErr, p.out)
		}
		resp, err := http.Get(p.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

func (p *serverProcess) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// signal sends sig to the process.
func (p *serverProcess) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("send %v to dbcollab: %v", sig, err)
	}
}

// waitExit waits for the process to end and returns cmd.Wait's error: nil for exit 0.
func (p *serverProcess) waitExit(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(within):
		t.Fatalf("dbcollab still runs %v after it was told to stop", within)
		return nil
	}
}

// stop sends sig and checks the process exits 0 within 15 s.
func (p *serverProcess) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	p.signal(t, sig)
	if err := p.waitExit(t, 15*time.Second); err != nil {
		t.Fatalf("dbcollab did not exit 0 on %v: %v", sig, err)
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (p *serverProcess) kill(t *testing.T) {
	t.Helper()
	p.signal(t, syscall.SIGKILL)
	p.waitExit(t, 15*time.Second)
}

// waitUntil polls cond every 20 ms until it holds, failing the test after within.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apiToken logs in through the JSON API and returns a new API token.
func apiToken(t *testing.T, baseURL, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(baseURL+"/v1/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated || out.Token == "" {
		t.Fatalf("POST /v1/tokens as %s: %d %v, want 201 and a token", email, resp.StatusCode, err)
	}
	return out.Token
}

// invite asks the API to invite email to db and returns the answer's status.
func invite(client *http.Client, baseURL, token, db, email string) (int, error) {
	body, _ := json.Marshal(map[string]map[string]string{"collaborator": {"email": email}})
	req, err := http.NewRequest(http.MethodPost, baseURL+"/v1/databases/"+db+"/collaborators", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// listedCollaborators counts, by address, the rows the API lists for db.
func listedCollaborators(t *testing.T, baseURL, token, db string) map[string]int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, baseURL+"/v1/databases/"+db+"/collaborators", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Collaborators []struct{ Email string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET collaborators of %s: %d %v, want 200", db, resp.StatusCode, err)
	}
	counts := map[string]int{}
	for _, c := range out.Collaborators {
		counts[c.Email]++
	}
	return counts
}

// inviteLoad is clients concurrent API clients, each with its own connection, each
// inviting its own addresses one after another until it has sent perClient requests or
// a request failed at the transport level (the server went away).
type inviteLoad struct {
	done    sync.WaitGroup
	nAcked  atomic.Int64
	mu      sync.Mutex
	outcome loadOutcome
}

// loadOutcome sorts the addresses a load tried to invite by the answer they got.
type loadOutcome struct {
	// Acked got a 2xx: the server said the invitation is stored.
	Acked []string
	// Cut got no answer: the connection failed, so the client cannot know.
	Cut []string
	// Refused got an answer that is not 2xx, with its status.
	Refused map[string]int
}

func startInviteLoad(baseURL, token, db string, clients, perClient int) *inviteLoad {
	l := &inviteLoad{outcome: loadOutcome{Refused: map[string]int{}}}
	for c := range clients {
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
		l.done.Go(func() {
			defer client.CloseIdleConnections()
			for n := range perClient {
				email := fmt.Sprintf("load-%d-%d@example.com", c, n)
				status, err := invite(client, baseURL, token, db, email)
				l.mu.Lock()
				switch {
				case err != nil:
					l.outcome.Cut = append(l.outcome.Cut, email)
				case status/100 == 2:
					l.outcome.Acked = append(l.outcome.Acked, email)
					l.nAcked.Add(1)
				default:
					l.outcome.Refused[email] = status
				}
				l.mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	return l
}

// acked is how many invitations got a 2xx so far.
func (l *inviteLoad) acked() int { return int(l.nAcked.Load()) }

// wait waits for every client to stop (each request has a 10 s timeout) and returns
// the outcome.
func (l *inviteLoad) wait() loadOutcome {
	l.done.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.outcome
}

// openDatabase opens the server's SQLite file from the test, as a second process would.
func openDatabase(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryInt runs a query that answers one integer.
func queryInt(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkIntegrity runs PRAGMA integrity_check on the file at path.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db := openDatabase(t, path)
	var result string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check: %q, %v; want ok", result, err)
	}
	db.Close()
}

// invitationRows counts, by address, the invitation rows of the load's addresses in
// any state: more than one for an address is a duplicate.
func invitationRows(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT email, count(*) FROM collaborators WHERE email LIKE 'load-%' GROUP BY database_id, email`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var email string
		var n int
		if err := rows.Scan(&email, &n); err != nil {
			t.Fatal(err)
		}
		counts[email] += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// unsentEmails is how many outbox e-mails wait for delivery.
func unsentEmails(t *testing.T, db *sql.DB) int {
	t.Helper()
	return queryInt(t, db, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`)
}

// failedAttempts is how many delivery attempts failed, over the whole outbox.
func failedAttempts(t *testing.T, db *sql.DB) int {
	t.Helper()
	return queryInt(t, db, `SELECT coalesce(sum(attempts - (sent_at IS NOT NULL)), 0) FROM outbox`)
}

// switchableSink is an SMTP server that a test can take down (its port then refuses
// connections) and bring back on the same port, and that can hold one recipient's
// message before answering it, to catch the sender mid-transaction.
type switchableSink struct {
	Addr string

	mu       sync.Mutex
	ln       net.Listener
	srv      *smtp.Server
	received []sunkMail
	holds    map[string]*heldMail
}

// sunkMail is one message the sink accepted.
type sunkMail struct {
	To        string
	MessageID string
	At        time.Time
}

// heldMail is a recipient whose message waits for release before the sink accepts it.
type heldMail struct {
	arrived, release chan struct{}
}

// startSwitchableSink serves SMTP on a random loopback port until the test ends.
func startSwitchableSink(t *testing.T) *switchableSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &switchableSink{Addr: ln.Addr().String(), holds: map[string]*heldMail{}}
	s.serve(ln)
	t.Cleanup(s.down)
	return s
}

func (s *switchableSink) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &switchableSession{sink: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	// Connections cut by a kill or an outage are expected here.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.mu.Lock()
	s.ln, s.srv = ln, srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

// down closes the listener and every connection: connecting is refused from now on.
func (s *switchableSink) down() {
	s.mu.Lock()
	ln, srv := s.ln, s.srv
	s.ln, s.srv = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// Closing the listener too: Close alone misses a Serve that has not started yet.
		ln.Close()
		srv.Close()
	}
}

// up serves again on the same port.
func (s *switchableSink) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		t.Fatalf("SMTP sink: listen again on %s: %v", s.Addr, err)
	}
	s.serve(ln)
}

// hold makes the sink keep the message to address, without answering the sender, from
// its arrival until release is called (or 10 s pass). arrived is closed on its arrival.
func (s *switchableSink) hold(address string) (arrived <-chan struct{}, release func()) {
	h := &heldMail{arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.holds[address] = h
	s.mu.Unlock()
	return h.arrived, sync.OnceFunc(func() { close(h.release) })
}

// to returns the messages accepted for address, in order of arrival.
func (s *switchableSink) to(address string) []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sunkMail
	for _, m := range s.received {
		if strings.EqualFold(m.To, address) {
			out = append(out, m)
		}
	}
	return out
}

// total is how many messages the sink accepted.
func (s *switchableSink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.received)
}

// switchableSession is one SMTP transaction; dbcollab sends one recipient per message.
type switchableSession struct {
	sink *switchableSink
	to   string
}

func (s *switchableSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *switchableSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.to != "" {
		return &smtp.SMTPError{Code: 452, Message: "one recipient per message"}
	}
	s.to = to
	return nil
}

func (s *switchableSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparsable message: " + err.Error()}
	}
	if _, err := io.Copy(io.Discard, msg.Body); err != nil {
		return err
	}
	s.sink.mu.Lock()
	h := s.sink.holds[s.to]
	delete(s.sink.holds, s.to)
	s.sink.mu.Unlock()
	if h != nil {
		close(h.arrived)
		select {
		case <-h.release:
		case <-time.After(10 * time.Second):
			return errors.New("held message never released")
		}
	}
	s.sink.mu.Lock()
	s.sink.received = append(s.sink.received, sunkMail{To: s.to, MessageID: msg.Header.Get("Message-Id"), At: time.Now()})
	s.sink.mu.Unlock()
	return nil
}

func (s *switchableSession) Reset()        { s.to = "" }
func (s *switchableSession) Logout() error { return nil }
