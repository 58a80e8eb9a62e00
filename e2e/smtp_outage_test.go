package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSMTPOutageDelaysButNeverLosesEmail invites 20 people while the SMTP server refuses
// connections, brings it back on the same port, and checks that all 20 invitation
// e-mails arrive within a minute, each once; also when the dashboard is restarted in
// the middle of the outage. The outage lasts a few seconds: until the sender has been
// refused twice (its first attempt, then one retry 2 s later).
func TestSMTPOutageDelaysButNeverLosesEmail(t *testing.T) {
	t.Run("server running", func(t *testing.T) { testSMTPOutage(t, false) })
	t.Run("server restarted during the outage", func(t *testing.T) { testSMTPOutage(t, true) })
}

func testSMTPOutage(t *testing.T, restart bool) {
	const invited = 20
	sink := startSwitchableSink(t)
	sink.down()
	dbPath := filepath.Join(t.TempDir(), "dbcollab.db")
	server := startServer(t, dbPath, sink.Addr, "--demo", "--invite-limit", "0", "--invite-limit-per-inviter", "0")
	token := apiToken(t, server.URL, "user1@example.com", demoPassword)
	client := &http.Client{Timeout: 10 * time.Second}
	var addresses []string
	for n := range invited {
		email := fmt.Sprintf("outage-%d@example.com", n)
		if status, err := invite(client, server.URL, token, demoDB, email); err != nil || status != http.StatusCreated {
			t.Fatalf("invite %s during the outage: %d %v, want 201", email, status, err)
		}
		addresses = append(addresses, email)
	}

	db := openDatabase(t, dbPath)
	waitUntil(t, 15*time.Second, "two delivery attempts refused", func() bool { return failedAttempts(t, db) >= 2 })
	if restart {
		server.stop(t, syscall.SIGTERM)
		before := failedAttempts(t, db)
		server = startServer(t, dbPath, sink.Addr, "--invite-limit", "0", "--invite-limit-per-inviter", "0")
		waitUntil(t, 15*time.Second, "the restarted server's attempt refused", func() bool { return failedAttempts(t, db) > before })
	}
	if n := sink.total(); n != 0 {
		t.Fatalf("%d e-mails reached a sink that was down", n)
	}

	sink.up(t)
	back := time.Now()
	waitUntil(t, time.Minute, "all 20 invitation e-mails arrive after the outage", func() bool {
		for _, email := range addresses {
			if len(sink.to(email)) == 0 {
				return false
			}
		}
		return true
	})
	arrival := time.Since(back)
	waitUntil(t, 15*time.Second, "the outbox is empty", func() bool { return unsentEmails(t, db) == 0 })
	failed := failedAttempts(t, db)
	emails := queryInt(t, db, `SELECT count(*) FROM outbox`)
	server.stop(t, syscall.SIGTERM)

	for _, email := range addresses {
		if n := len(sink.to(email)); n != 1 {
			t.Errorf("invitation e-mail to %s arrived %d times, want once", email, n)
		}
	}
	// One attempt per backoff step while the server is down, not one per queued e-mail.
	if failed >= emails {
		t.Errorf("%d failed delivery attempts for %d queued e-mails: the sender tried each against the dead server", failed, emails)
	}
	t.Logf("SMTP down, %d invitations (%d e-mails queued): all %d arrived %v after the server came back, each once; %d failed attempts during the outage",
		invited, emails, invited, arrival.Round(10*time.Millisecond), failed)
}
