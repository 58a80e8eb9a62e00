package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestDeliveredInvitationLeavesNoUsableLinkInTheFile invites through the API, waits for
// the e-mails to reach the SMTP sink, then looks for their links and tokens in every
// column of every table while the server runs, and in the raw bytes of the file once
// it stopped: a copy of the file must not let anyone in.
func TestDeliveredInvitationLeavesNoUsableLinkInTheFile(t *testing.T) {
	t.Parallel()
	sink := startMailSink(t)
	dbPath := filepath.Join(t.TempDir(), "dbcollab.db")
	p := startServer(t, dbPath, sink.Addr, "--demo")
	token := apiToken(t, p.URL, "user1@example.com", demoPassword)
	if status, err := invite(&http.Client{Timeout: 10 * time.Second}, p.URL, token, demoDB, "newcomer@example.com"); err != nil || status != http.StatusCreated {
		t.Fatalf("invite: %d, %v", status, err)
	}
	var secrets []string
	for _, to := range []string{"user3@example.com", "newcomer@example.com"} {
		link := checkInvitation(t, sink.waitFor(t, to), p.URL, demoDB, "user1")
		secrets = append(secrets, link, link[strings.LastIndex(link, "/")+1:])
	}
	db := openDatabase(t, dbPath)
	waitUntil(t, 15*time.Second, "the outbox records both deliveries", func() bool { return unsentEmails(t, db) == 0 })

	values := everyValue(t, db)
	if len(values) < 50 {
		t.Fatalf("read only %d values from the file", len(values))
	}
	for _, secret := range secrets {
		for _, v := range values {
			if strings.Contains(v, secret) {
				t.Errorf("the store holds %q after delivery: %q", secret, v)
			}
		}
	}

	db.Close() // the server's connections are then the last: closing empties the WAL into the file
	p.stop(t, syscall.SIGTERM)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		raw, err := os.ReadFile(dbPath + suffix)
		if err != nil {
			continue // the WAL and shared memory go with the last connection
		}
		for _, secret := range secrets {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("the bytes of %s hold %q after delivery", filepath.Base(dbPath+suffix), secret)
			}
		}
	}
}

// everyValue reads every column of every row of every table, as text.
func everyValue(t *testing.T, db *sql.DB) []string {
	t.Helper()
	tables, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var name string
		if err := tables.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	tables.Close()
	var values []string
	for _, name := range names {
		rows, err := db.Query(`SELECT * FROM "` + name + `"`)
		if err != nil {
			t.Fatal(err)
		}
		columns, _ := rows.Columns()
		for rows.Next() {
			cells := make([]any, len(columns))
			pointers := make([]any, len(columns))
			for i := range cells {
				pointers[i] = &cells[i]
			}
			if err := rows.Scan(pointers...); err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				values = append(values, fmt.Sprint(c))
				if b, ok := c.([]byte); ok {
					values = append(values, string(b))
				}
			}
		}
		rows.Close()
	}
	return values
}

// TestRefusalForGoodIsTriedOnceAndMarkedFailed has the SMTP server refuse an invitation
// with a 5xx answer: the outbox marks it failed with the answer and does not try again,
// even once the server accepts mail again.
func TestRefusalForGoodIsTriedOnceAndMarkedFailed(t *testing.T) {
	t.Parallel()
	sink := startMailSink(t)
	dbPath := filepath.Join(t.TempDir(), "dbcollab.db")
	p := startServer(t, dbPath, sink.Addr, "--demo")
	sink.waitFor(t, "user3@example.com")
	token := apiToken(t, p.URL, "user1@example.com", demoPassword)
	sink.refuse(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"})
	if status, err := invite(&http.Client{Timeout: 10 * time.Second}, p.URL, token, demoDB, "gone@example.com"); err != nil || status != http.StatusCreated {
		t.Fatalf("invite: %d, %v", status, err)
	}
	db := openDatabase(t, dbPath)
	const refused = `SELECT count(*) FROM outbox WHERE to_addr = 'gone@example.com' AND failed_at IS NOT NULL`
	waitUntil(t, 15*time.Second, "the refusal is recorded as failed", func() bool { return queryInt(t, db, refused) == 1 })
	sink.refuse(nil)
	time.Sleep(3 * time.Second) // longer than the first retry delay (2 s)
	var attempts int
	var lastError string
	if err := db.QueryRow(`SELECT attempts, last_error FROM outbox WHERE to_addr = 'gone@example.com'`).Scan(&attempts, &lastError); err != nil {
		t.Fatal(err)
	}
	if attempts != 1 || !strings.Contains(lastError, "550") || !strings.Contains(lastError, "No such mailbox") || sink.count("gone@example.com") != 0 {
		t.Errorf("refused e-mail: %d attempts, last error %q, %d delivered; want 1, the 550 answer, 0",
			attempts, lastError, sink.count("gone@example.com"))
	}
}
