package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync"

	mail "github.com/wneessen/go-mail"

	"dbcollab/store"
)

// SMTP delivers over SMTP to the server of an smtp:// (STARTTLS when offered) or
// smtps:// (TLS) URL, with its user and password if it has them.
type SMTP struct {
	From   string
	client *mail.Client
}

// ErrUnreachable marks a failure to open an SMTP session at all (connect, greeting,
// EHLO, STARTTLS, AUTH): every other e-mail would fail alike, so the sender pauses the
// whole outbox instead of trying each one.
var ErrUnreachable = errors.New("smtp server unreachable")

// ErrRefused marks a refusal for good (an SMTP 5xx answer): retrying cannot help, so
// the sender marks the e-mail failed instead.
var ErrRefused = errors.New("refused by the smtp server")

// refusal is a permanent SMTP error that keeps the server's words as its message.
type refusal struct{ error }

func (r refusal) Unwrap() error      { return r.error }
func (refusal) Is(target error) bool { return target == ErrRefused }

// permanent marks err as ErrRefused when the server answered it with a 5xx code.
func permanent(err error) error {
	var sendErr *mail.SendError
	if errors.As(err, &sendErr) && sendErr.ErrorCode() >= 500 && sendErr.ErrorCode() < 600 {
		return refusal{err}
	}
	return err
}

// NewSMTP checks rawURL and returns a deliverer to it.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	// Without url.Error's quote of the URL: its password would end up in the log.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return nil, fmt.Errorf("mailer: smtp url: %w", urlErr.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("mailer: smtp url: %w", err)
	}
	// No RSET after a message: the session ends there, and RSET would only delay the
	// sender's record that the message left.
	opts := []mail.Option{mail.WithTLSPolicy(mail.TLSOpportunistic), mail.WithoutRset()}
	port := 25
	switch u.Scheme {
	case "smtp":
	case "smtps":
		opts = []mail.Option{mail.WithSSL(), mail.WithoutRset()}
		port = 465
	default:
		return nil, fmt.Errorf("mailer: smtp url: scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("mailer: smtp url: no host")
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mailer: smtp url: port %q: %w", p, err)
		}
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil {
		password, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain),
			mail.WithUsername(u.User.Username()), mail.WithPassword(password))
	}
	client, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mailer: smtp client: %w", err)
	}
	return &SMTP{From: from, client: client}, nil
}

// Deliver sends e. Its Message-ID is derived from the outbox row, so that a receiver can
// tell a retry of the same e-mail from a new one.
//
// Deliver returns as soon as the server accepted the message (its answer to DATA), and
// says goodbye (QUIT) in the background: until the sender has recorded the e-mail as
// sent, a crash would send it again, so nothing may come between the two — and a
// failure after the acceptance is no failure of the delivery.
func (s *SMTP) Deliver(ctx context.Context, e store.Email) error {
	m, err := s.message(e)
	if err != nil {
		return err
	}

	// Each delivery has its own connection; the mail.Client only holds the settings.
	conn, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	err = s.client.SendWithSMTPClient(conn, m)
	if m.IsDelivered() {
		// The connection's deadline bounds this goroutine.
		go s.client.CloseWithSMTPClient(conn)
		return nil
	}
	s.client.CloseWithSMTPClient(conn)
	return permanent(err)
}

// message is e as the MIME message Deliver sends.
func (s *SMTP) message(e store.Email) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(s.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", s.From, err)
	}
	if err := m.To(e.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", e.To, err)
	}
	if e.ReplyTo != "" {
		if err := m.ReplyTo(e.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", e.ReplyTo, err)
		}
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(fmt.Sprintf("outbox-%d-%d@dbcollab", e.ID, e.CreatedAt.UnixMicro()))
	m.SetBodyString(mail.TypeTextPlain, e.Text)
	m.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	return m, nil
}

// Printer is the embedded default without an SMTP server: it prints each e-mail, with
// its links, so that someone running the dashboard locally can follow them.
type Printer struct {
	W  io.Writer
	mu sync.Mutex
}

// Deliver prints e.
func (p *Printer) Deliver(_ context.Context, e store.Email) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := fmt.Fprintf(p.W, "----- e-mail (printed, not sent: no --smtp-url) -----\nTo: %s\nSubject: %s\n\n%s----- end of e-mail -----\n",
		e.To, e.Subject, e.Text)
	return err
}
