package e2e

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSIGKILLMidLoadLosesNothingAcknowledged kills the server with SIGKILL while 8
// clients invite people through the API, starts it again on the same file, and checks
// that every acknowledged invitation is there once, that the file is sound, and that
// the outbox then delivers every invitation's e-mail.
//
// Delivery is exactly once except for at most one e-mail per crash: the one whose SMTP
// transaction the kill interrupted. If the SMTP server had already accepted it but the
// process died before recording that, it is sent again after the restart, with the
// same Message-ID (no SMTP client can tell "accepted, answer lost" from "not
// accepted"; losing it instead would be worse). The test asserts exactly that.
func TestSIGKILLMidLoadLosesNothingAcknowledged(t *testing.T) {
	const (
		clients   = 8
		perClient = 150
		killAfter = 200 // acknowledged invitations before the kill
	)
	sink := startSwitchableSink(t)
	dbPath := filepath.Join(t.TempDir(), "dbcollab.db")
	first := startServer(t, dbPath, sink.Addr, "--demo", "--invite-limit", "0", "--invite-limit-per-inviter", "0")
	token := apiToken(t, first.URL, "user1@example.com", demoPassword)

	load := startInviteLoad(first.URL, token, demoDB, clients, perClient)
	waitUntil(t, 30*time.Second, "invitations acknowledged before the kill", func() bool { return load.acked() >= killAfter })
	first.kill(t)
	got := load.wait()
	for email, status := range got.Refused {
		t.Errorf("invitation of %s under load: status %d, want 201", email, status)
	}
	if len(got.Acked)+len(got.Cut) == clients*perClient {
		t.Fatalf("the load ended before the kill: %d acknowledged, %d cut", len(got.Acked), len(got.Cut))
	}

	// The file as the kill left it: sound, every acknowledged invitation once.
	checkIntegrity(t, dbPath)
	db := openDatabase(t, dbPath)
	rows := invitationRows(t, db)
	for _, email := range got.Acked {
		if rows[email] != 1 {
			t.Errorf("acknowledged invitation of %s: %d rows after the kill, want 1", email, rows[email])
		}
	}
	committedCut := 0
	for _, email := range got.Cut {
		switch rows[email] {
		case 0:
		case 1:
			committedCut++ // committed, the answer lost with the process: fine
		default:
			t.Errorf("invitation of %s cut by the kill: %d rows, want 0 or 1", email, rows[email])
		}
	}
	if len(rows) != len(got.Acked)+committedCut {
		t.Errorf("%d invited addresses in the file, want the %d acknowledged and %d cut but committed",
			len(rows), len(got.Acked), committedCut)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM collaborators c LEFT JOIN outbox o ON o.id = c.email_id
		WHERE c.email LIKE 'load-%' AND o.id IS NULL`); n != 0 {
		t.Errorf("%d invitations without their e-mail in the outbox", n)
	}
	db.Close()

	restartedAt := time.Now()
	second := startServer(t, dbPath, sink.Addr, "--invite-limit", "0", "--invite-limit-per-inviter", "0")
	listed := listedCollaborators(t, second.URL, token, demoDB)
	for _, email := range got.Acked {
		if listed[email] != 1 {
			t.Errorf("acknowledged invitation of %s: listed %d times by the API after the restart, want 1", email, listed[email])
		}
	}
	db = openDatabase(t, dbPath)
	waitUntil(t, 30*time.Second, "the outbox is empty after the restart", func() bool { return unsentEmails(t, db) == 0 })
	db.Close()
	second.stop(t, syscall.SIGTERM)
	checkIntegrity(t, dbPath)

	sentAgain := 0
	for email := range rows {
		copies := sink.to(email)
		switch {
		case len(copies) == 1:
		case len(copies) == 2 && copies[0].MessageID == copies[1].MessageID &&
			copies[0].At.Before(restartedAt) && !copies[1].At.Before(restartedAt):
			sentAgain++
		default:
			t.Errorf("invitation e-mail to %s: %d copies %+v; want 1 (or, for the one in flight at the kill, 2 with the same Message-ID)",
				email, len(copies), copies)
		}
	}
	if sentAgain > 1 {
		t.Errorf("%d e-mails were sent again after the restart; only the one in flight at the kill may be", sentAgain)
	}
	for _, email := range got.Cut {
		if rows[email] == 0 && len(sink.to(email)) != 0 {
			t.Errorf("an e-mail went to %s, whose invitation was never stored", email)
		}
	}
	t.Logf("%d clients: %d invitations acknowledged before SIGKILL, all present once after the restart; "+
		"%d requests cut by the kill (%d of them committed); integrity_check ok; %d invitation e-mails delivered, "+
		"%d of them a second time (the one in flight at the kill, same Message-ID)",
		clients, len(got.Acked), len(got.Cut), committedCut, len(rows), sentAgain)
}
