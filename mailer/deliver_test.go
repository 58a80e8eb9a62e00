package mailer

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"dbcollab/store"
)

// scriptedSMTP serves one SMTP session on a loopback port and answers the end of the
// message with endOfData, then hangs up at once (no answer to QUIT or anything else).
func scriptedSMTP(t *testing.T, endOfData string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(conn)
		fmt.Fprint(conn, "220 scripted ESMTP\r\n")
		for inData := false; ; {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			command := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case inData && line == ".\r\n":
				fmt.Fprint(conn, endOfData+"\r\n")
				return
			case inData:
			case strings.HasPrefix(command, "EHLO"):
				fmt.Fprint(conn, "250-scripted\r\n250 8BITMIME\r\n")
			case command == "DATA":
				fmt.Fprint(conn, "354 go ahead\r\n")
				inData = true
			default: // MAIL, RCPT, NOOP
				fmt.Fprint(conn, "250 ok\r\n")
			}
		}
	}()
	return ln.Addr().String()
}

func deliverTo(t *testing.T, addr string) error {
	t.Helper()
	d, err := NewSMTP("smtp://"+addr, "dbcollab <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	e := store.Email{ID: 7, To: "pia@example.com", Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: time.Now()}
	return d.Deliver(t.Context(), e)
}

// Once the server has accepted the message, the delivery succeeded, whatever happens to
// the session afterwards: reporting a failure would send the e-mail a second time.
func TestDeliverSucceedsOnceTheServerAcceptedTheMessage(t *testing.T) {
	if err := deliverTo(t, scriptedSMTP(t, "250 2.0.0 queued")); err != nil {
		t.Errorf("server accepted the message, then hung up: Deliver = %v, want nil", err)
	}
}

func TestDeliverFailsWhenTheServerRefusesTheMessage(t *testing.T) {
	err := deliverTo(t, scriptedSMTP(t, "451 4.3.0 try again later"))
	if err == nil || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrRefused) {
		t.Errorf("server refused the message for now: Deliver = %v, want a failure of this e-mail, to be retried", err)
	}
}

// A 5xx answer is a refusal for good, which the sender does not retry; its message is
// the server's.
func TestDeliverRefusedWithA5xxIsRefusedForGood(t *testing.T) {
	err := deliverTo(t, scriptedSMTP(t, "554 5.7.1 message rejected"))
	if !errors.Is(err, ErrRefused) || errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "554") || !strings.Contains(err.Error(), "message rejected") {
		t.Errorf("server refused the message for good: Deliver = %v, want ErrRefused with the server's answer", err)
	}
}

func TestDeliverToAClosedPortIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := deliverTo(t, addr); !errors.Is(err, ErrUnreachable) {
		t.Errorf("nobody listening: Deliver = %v, want ErrUnreachable", err)
	}
}

func TestNewSMTPInvalidURLErrorNeverQuotesThePassword(t *testing.T) {
	for _, raw := range []string{"smtp://admin:s3cret@[::1", "smtp://admin:s3cret@host:po rt", "ftp://admin:s3cret@host", "smtp://admin:s3cret@host:99999999999999999999"} {
		_, err := NewSMTP(raw, "from@example.com")
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("NewSMTP(%q) = %v, want an error that does not show the password", raw, err)
		}
	}
}
