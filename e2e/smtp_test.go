package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is a real SMTP server that keeps every message it receives.
type mailSink struct {
	Addr string

	mu       sync.Mutex
	messages []receivedMail
	// refusal, while set, answers every message instead of keeping it.
	refusal *smtp.SMTPError
}

// refuse makes the sink answer each message with err, or accept them again with nil.
func (s *mailSink) refuse(err *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusal = err
}

// receivedMail is one message as the sink parsed it.
type receivedMail struct {
	To      []string
	Subject string
	// Parts maps each leaf part's media type (text/plain, text/html) to its decoded body.
	Parts map[string]string
}

// startMailSink serves SMTP on a random loopback port until the test ends.
func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := &mailSink{Addr: ln.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: sink}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink
}

// sinkSession is one SMTP connection's transaction.
type sinkSession struct {
	sink *mailSink
	to   []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error {
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	if s.sink.refusal != nil {
		return s.sink.refusal
	}
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		// Refusing the message makes the sender retry, and the test sees the parse error
		// as a missing e-mail; say why in the SMTP answer, which the sender logs.
		return &smtp.SMTPError{Code: 554, Message: "unparsable message: " + err.Error()}
	}
	m.To = s.to
	s.sink.mu.Lock()
	s.sink.messages = append(s.sink.messages, m)
	s.sink.mu.Unlock()
	return nil
}

func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }

// parseMail reads a message with net/mail and walks its MIME tree.
func parseMail(raw []byte) (receivedMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return receivedMail{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return receivedMail{}, fmt.Errorf("subject: %w", err)
	}
	m := receivedMail{Subject: subject, Parts: map[string]string{}}
	err = collectParts(m.Parts, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

// collectParts adds each leaf of a MIME body to parts, decoded.
func collectParts(parts map[string]string, contentType, encoding string, body io.Reader) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			// multipart.Part already decodes quoted-printable and drops that header.
			if err := collectParts(parts, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mediaType, err)
	}
	parts[mediaType] = string(b)
	return nil
}

// waitFor returns the first message to address, polling until it arrives or 15 s pass
// (the outbox sends at once; the margin is for a loaded machine).
func (s *mailSink) waitFor(t *testing.T, address string) receivedMail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s.mu.Lock()
		for _, m := range s.messages {
			for _, to := range m.To {
				if strings.EqualFold(to, address) {
					s.mu.Unlock()
					return m
				}
			}
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s reached the SMTP sink within 15 s", address)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// count is how many messages went to address.
func (s *mailSink) count(address string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.messages {
		for _, to := range m.To {
			if strings.EqualFold(to, address) {
				n++
			}
		}
	}
	return n
}

var invitationLink = regexp.MustCompile(`https?://[^\s"<>]+/invitations/[A-Za-z0-9_\-]+`)

// checkInvitation checks an invitation e-mail has a plain-text and an HTML part that
// both name the database and the inviter and carry the same accept link, and returns it.
func checkInvitation(t *testing.T, m receivedMail, appURL, database, inviter string) string {
	t.Helper()
	text, html := m.Parts["text/plain"], m.Parts["text/html"]
	if text == "" || html == "" {
		t.Fatalf("invitation e-mail %q: want text/plain and text/html parts, got %v", m.Subject, keys(m.Parts))
	}
	if !strings.Contains(m.Subject, database) || !strings.Contains(m.Subject, inviter) {
		t.Errorf("invitation subject %q: want the database %q and the inviter %q", m.Subject, database, inviter)
	}
	link := invitationLink.FindString(text)
	if !strings.HasPrefix(link, appURL+"/invitations/") {
		t.Fatalf("invitation text part: no accept link to %s/invitations/…:\n%s", appURL, text)
	}
	for name, body := range map[string]string{"text": text, "HTML": html} {
		for _, want := range []string{database, inviter, link} {
			if !strings.Contains(body, want) {
				t.Errorf("invitation %s part: %q is missing:\n%s", name, want, body)
			}
		}
	}
	return link
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
