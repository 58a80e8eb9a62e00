// Package server runs the dashboard: it opens the store, starts the outbox sender and
// the HTTP server, and stops both cleanly on a signal.
package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"dbcollab/handlers"
	"dbcollab/mailer"
	"dbcollab/service"
	"dbcollab/store"
)

// Config is the serve command's flags.
type Config struct {
	Addr          string
	DBPath        string
	BaseURL       string
	SMTPURL       string
	MailFrom      string
	SessionSecret string
	Demo          bool
	InviteTTL     time.Duration
	InviteLimit   int

	InviteLimitPerInviter, InviteLimitPerRecipient int
}

// shutdownGrace bounds how long in-flight requests may take to finish on a signal.
const shutdownGrace = 30 * time.Second

// Run serves until ctx is done, then stops accepting, finishes in-flight requests and
// the e-mail being sent, and returns nil.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	st, err := store.Open(cfg.DBPath)
	if err != nil {
		return err
	}
	defer st.Close()

	baseURL := strings.TrimSuffix(cfg.BaseURL, "/")
	if baseURL == "" {
		baseURL = defaultBaseURL(cfg.Addr)
	}
	secure := strings.HasPrefix(baseURL, "https://")

	var deliverer mailer.Deliverer = &mailer.Printer{W: out}
	if cfg.SMTPURL != "" {
		if deliverer, err = mailer.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return err
		}
	}
	sender := mailer.NewSender(st, deliverer, log)
	svc := &service.Service{Store: st, BaseURL: baseURL, EmailQueued: sender.Wake,
		InviteTTL: cfg.InviteTTL, InviteLimit: cfg.InviteLimit,
		InviteLimitPerInviter: cfg.InviteLimitPerInviter, InviteLimitPerRecipient: cfg.InviteLimitPerRecipient}

	if cfg.Demo {
		seeded, err := svc.SeedDemo(ctx)
		if err != nil {
			return err
		}
		if seeded {
			fmt.Fprintln(out, service.DemoAccounts)
		} else {
			fmt.Fprintln(out, "--demo: the database already has data; nothing was added.")
		}
	}

	hashKey, blockKey, err := sessionKeys(ctx, st, cfg.SessionSecret)
	if err != nil {
		return err
	}
	h := &handlers.Server{Service: svc, Sessions: handlers.NewSessionStore(hashKey, blockKey, secure), Log: log, Secure: secure}
	srv := &http.Server{Handler: h.Routes(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", cfg.Addr, err)
	}
	log.Info("dbcollab is serving", "addr", ln.Addr().String(), "url", baseURL, "db", cfg.DBPath, "smtp", cfg.SMTPURL != "")

	senderCtx, stopSender := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sender.Run(senderCtx) })
	wg.Go(func() { recordExpiries(senderCtx, svc, log) })

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("stopping: finishing requests in flight")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	stopSender()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// expirySweep is how often expired invitations get their "expired" event.
const expirySweep = time.Minute

func recordExpiries(ctx context.Context, svc *service.Service, log *slog.Logger) {
	ticker := time.NewTicker(expirySweep)
	defer ticker.Stop()
	for {
		if n, err := svc.RecordExpiries(ctx); err != nil {
			log.Error("record expired invitations", "err", err)
		} else if n > 0 {
			log.Info("invitations expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func defaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// sessionKeys derives the cookie keys from the configured secret, or else from random
// bytes generated once and kept in the store, so that a restart keeps people signed in.
func sessionKeys(ctx context.Context, st *store.Store, secret string) (hashKey, blockKey []byte, err error) {
	seed := []byte(secret)
	if secret == "" {
		candidate := make([]byte, 64)
		if _, err := rand.Read(candidate); err != nil {
			return nil, nil, fmt.Errorf("server: session secret: %w", err)
		}
		if seed, err = st.SettingOrCreate(ctx, "session_secret", candidate); err != nil {
			return nil, nil, err
		}
	}
	derive := func(label string) []byte {
		mac := hmac.New(sha256.New, seed)
		mac.Write([]byte(label))
		return mac.Sum(nil)
	}
	return derive("dbcollab session signing"), derive("dbcollab session encryption"), nil
}
