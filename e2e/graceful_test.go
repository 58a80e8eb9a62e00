package e2e

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGracefulStopUnderLoad stops the server with SIGTERM, then with SIGINT, while 8
// clients invite people, a request is half sent and an e-mail is half delivered. The
// request in flight completes with 201, new connections are refused, the e-mail is
// finished and recorded, the exit code is 0, and after a restart every acknowledged
// invitation is there and every e-mail has gone exactly once.
func TestGracefulStopUnderLoad(t *testing.T) {
	t.Run("SIGTERM", func(t *testing.T) { testGracefulStop(t, "SIGTERM", syscall.SIGTERM) })
	t.Run("SIGINT", func(t *testing.T) { testGracefulStop(t, "SIGINT", syscall.SIGINT) })
}

func testGracefulStop(t *testing.T, name string, sig os.Signal) {
	const (
		clients   = 8
		perClient = 150
		heldEmail = "held@example.com"
		slowEmail = "slow@example.com"
	)
	sink := startSwitchableSink(t)
	dbPath := filepath.Join(t.TempDir(), "dbcollab.db")
	server := startServer(t, dbPath, sink.Addr, "--demo", "--invite-limit", "0", "--invite-limit-per-inviter", "0")
	token := apiToken(t, server.URL, "user1@example.com", demoPassword)

	// An e-mail in flight: the sink holds its answer to DATA until released.
	held, release := sink.hold(heldEmail)
	defer release()
	if status, err := invite(&http.Client{Timeout: 10 * time.Second}, server.URL, token, demoDB, heldEmail); err != nil || status != http.StatusCreated {
		t.Fatalf("invite %s: %d %v, want 201", heldEmail, status, err)
	}
	select {
	case <-held:
	case <-time.After(15 * time.Second):
		t.Fatalf("the e-mail to %s did not reach the sink within 15 s", heldEmail)
	}

	load := startInviteLoad(server.URL, token, demoDB, clients, perClient)
	waitUntil(t, 30*time.Second, "invitations acknowledged before the signal", func() bool { return load.acked() >= 50 })
	slow := startSlowInvitation(t, server.URL, token, slowEmail)

	server.signal(t, sig)
	waitUntil(t, 10*time.Second, "the server says it is stopping", func() bool {
		return strings.Contains(server.out.String(), "stopping: finishing requests in flight")
	})
	addr := strings.TrimPrefix(server.URL, "http://")
	waitUntil(t, 5*time.Second, "new connections are refused", func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
		}
		return errors.Is(err, syscall.ECONNREFUSED)
	})
	if server.hasExited() {
		t.Fatalf("dbcollab exited with a request in flight: %v", server.waitErr)
	}
	if status := slow.finish(t); status != http.StatusCreated {
		t.Errorf("the request in flight at the %s: status %d, want 201", name, status)
	}
	release()
	if err := server.waitExit(t, 15*time.Second); err != nil {
		t.Fatalf("dbcollab did not exit 0 on %s: %v", name, err)
	}
	got := load.wait()
	for email, status := range got.Refused {
		t.Errorf("invitation of %s during the %s: status %d, want 201 or a refused connection", email, name, status)
	}

	checkIntegrity(t, dbPath)
	db := openDatabase(t, dbPath)
	if n := queryInt(t, db, `SELECT count(*) FROM outbox WHERE to_addr = ? AND sent_at IS NOT NULL`, heldEmail); n != 1 {
		t.Errorf("the e-mail in flight at the %s is not recorded as sent", name)
	}
	rows := invitationRows(t, db)
	for _, email := range got.Acked {
		if rows[email] != 1 {
			t.Errorf("acknowledged invitation of %s: %d rows after the %s, want 1", email, rows[email], name)
		}
	}
	committedCut := 0
	for _, email := range got.Cut {
		committedCut += rows[email]
	}
	invited := []string{heldEmail, slowEmail}
	for email := range rows {
		invited = append(invited, email)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM collaborators WHERE email = ?`, slowEmail); n != 1 {
		t.Errorf("the invitation in flight at the %s: %d rows, want 1", name, n)
	}
	db.Close()

	restarted := startServer(t, dbPath, sink.Addr, "--invite-limit", "0", "--invite-limit-per-inviter", "0")
	listed := listedCollaborators(t, restarted.URL, token, demoDB)
	for _, email := range append(got.Acked, slowEmail) {
		if listed[email] != 1 {
			t.Errorf("acknowledged invitation of %s: listed %d times by the API after the restart, want 1", email, listed[email])
		}
	}
	db = openDatabase(t, dbPath)
	waitUntil(t, 30*time.Second, "the outbox is empty after the restart", func() bool { return unsentEmails(t, db) == 0 })
	db.Close()
	restarted.stop(t, sig)
	for _, email := range invited {
		if n := len(sink.to(email)); n != 1 {
			t.Errorf("invitation e-mail to %s arrived %d times, want once", email, n)
		}
	}
	t.Logf("%s under %d clients: %d invitations acknowledged, all present after the restart; the request in flight "+
		"completed with 201; new connections refused; %d requests refused at the connection (%d of them committed); "+
		"the e-mail in flight finished and recorded; exit 0; %d invitation e-mails, each delivered once",
		name, clients, len(got.Acked), len(got.Cut), committedCut, len(invited))
}

// slowInvitation is an invitation request whose headers the server has read and whose
// body it waits for: a request accepted and in flight for as long as the test wants.
type slowInvitation struct {
	conn net.Conn
	r    *bufio.Reader
	body []byte
}

// startSlowInvitation sends the headers of an invitation of email with "Expect:
// 100-continue" and returns once the server answered 100 Continue, which it does when
// the handler starts reading the body.
func startSlowInvitation(t *testing.T, baseURL, token, email string) *slowInvitation {
	t.Helper()
	host := strings.TrimPrefix(baseURL, "http://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	body, _ := json.Marshal(map[string]map[string]string{"collaborator": {"email": email}})
	fmt.Fprintf(conn, "POST /v1/databases/%s/collaborators HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", demoDB, host, token, len(body))
	s := &slowInvitation{conn: conn, r: bufio.NewReader(conn), body: body}
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("invitation with Expect: 100-continue: %v %v, want 100 Continue", resp, err)
	}
	return s
}

// finish sends the body and returns the answer's status.
func (s *slowInvitation) finish(t *testing.T) int {
	t.Helper()
	if _, err := s.conn.Write(s.body); err != nil {
		t.Fatalf("send the body of the request in flight: %v", err)
	}
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil {
		t.Fatalf("answer to the request in flight: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
