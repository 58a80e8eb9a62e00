// Package server runs the dashboard: it opens the store, starts the outbox sender, the
// runner of the PostgreSQL access jobs when a server is attached, and the HTTP server,
// and stops them cleanly on a signal.
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
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"dbcollab/access"
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
	// SessionSecretFile holds the session secret, so that it need not be in the
	// database file (whose copy would then mint session cookies) nor on a command line.
	SessionSecretFile string
	Demo              bool
	InviteTTL         time.Duration
	InviteLimit       int
	// TrustedProxies lists the proxies (CIDR, comma-separated) whose X-Forwarded-For
	// gives the client address.
	TrustedProxies string
	// OutboxRetention is how long delivered and refused e-mails are kept; 0 keeps them.
	OutboxRetention time.Duration

	InviteLimitPerInviter, InviteLimitPerRecipient int

	// PostgresURL is the admin URL of the PostgreSQL server the databases live on; empty
	// when none is attached. PostgresReconcileEvery: see access.Server.Run.
	PostgresURL            string
	PostgresReconcileEvery time.Duration

	// SessionTTL is how long a dashboard session lasts without being used.
	SessionTTL time.Duration

	// Drain is how long the server keeps serving after a signal, its health check
	// failing, before it closes its listener (0: at once).
	Drain time.Duration
}

// shutdownGrace bounds how long in-flight requests may take to finish on a signal.
const shutdownGrace = 30 * time.Second

// Run serves until ctx is done, then stops accepting, finishes in-flight requests and
// the e-mail being sent, and returns nil.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	secret, err := sessionSecret(cfg)
	if err != nil {
		return err
	}
	proxies, err := handlers.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	st, err := store.Open(cfg.DBPath)
	if err != nil {
		return err
	}
	defer st.Close()

	baseURL := strings.TrimSuffix(cfg.BaseURL, "/")
	if baseURL == "" {
		baseURL = defaultBaseURL(cfg.Addr)
	}
	if err := checkBaseURL(baseURL); err != nil {
		return err
	}
	secure := strings.HasPrefix(baseURL, "https://")

	var deliverer mailer.Deliverer = &mailer.Printer{W: out}
	if cfg.SMTPURL != "" {
		if deliverer, err = mailer.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return err
		}
	}
	sender := mailer.NewSender(st, deliverer, log)
	sender.Retention = cfg.OutboxRetention
	svc := &service.Service{Store: st, BaseURL: baseURL, EmailQueued: sender.Wake,
		InviteTTL: cfg.InviteTTL, InviteLimit: cfg.InviteLimit,
		InviteLimitPerInviter: cfg.InviteLimitPerInviter, InviteLimitPerRecipient: cfg.InviteLimitPerRecipient,
		SessionTTL: cfg.SessionTTL}
	var pg *access.Server
	if cfg.PostgresURL != "" {
		if pg, err = access.New(cfg.PostgresURL, st, log); err != nil {
			return err
		}
		defer pg.Close()
		svc.Postgres, svc.AccessJobsQueued = pg, pg.Wake
	}

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

	keys, err := secretKeys(ctx, st, secret)
	if err != nil {
		return err
	}
	svc.AccessTokenKey = keys.accessToken
	sessions := handlers.NewSessionStore(keys.sessionHash, keys.sessionBlock, secure)
	if cfg.SessionTTL > 0 {
		// The cookie lasts as long as an idle session; it is renewed as its row is seen.
		sessions.MaxAge(int(cfg.SessionTTL / time.Second))
	}
	h := &handlers.Server{Service: svc, Sessions: sessions, Log: log, Secure: secure, TrustedProxies: proxies}
	srv := newHTTPServer(h.Routes(), log)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", cfg.Addr, err)
	}
	log.Info("dbcollab is serving", "addr", ln.Addr().String(), "url", baseURL, "db", store.Redacted(cfg.DBPath), "smtp", cfg.SMTPURL != "", "postgres", pg != nil)

	senderCtx, stopSender := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sender.Run(senderCtx) })
	wg.Go(func() { sweep(senderCtx, svc, log) })
	if pg != nil {
		wg.Go(func() { pg.Run(senderCtx, cfg.PostgresReconcileEvery) })
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		err = stop(srv, h, cfg.Drain, serveErr, log)
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

// stop drains for drain, answering requests while /healthz fails so that a load
// balancer checking it takes the instance out, then closes the listener and finishes
// the requests in flight. Without a drain, a balancer learns of the stop from refused
// and reset connections, which only one that retries them on another instance hides.
func stop(srv *http.Server, h *handlers.Server, drain time.Duration, serveErr <-chan error, log *slog.Logger) error {
	if drain > 0 {
		h.Drain()
		log.Info("stopping: draining, /healthz answers 503", "drain", drain)
		select {
		case err := <-serveErr:
			return err
		case <-time.After(drain):
		}
	}
	log.Info("stopping: finishing requests in flight")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return srv.Shutdown(ctx)
}

// The HTTP server's timeouts: a client that sends its request, reads its answer or keeps
// an idle connection too long loses the connection rather than holding it. Every request
// is a form or JSON body of 64 KB at most, every answer a page or some JSON made in well
// under a second (a write may wait 5 s for SQLite); nothing streams.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = time.Minute
	idleTimeout       = 2 * time.Minute
)

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// sweepEvery is how often expired invitations get their "expired" event and forgotten
// throttle entries are purged. Every instance on a store sweeps; each expiry is
// recorded once.
const sweepEvery = time.Minute

func sweep(ctx context.Context, svc *service.Service, log *slog.Logger) {
	ticker := time.NewTicker(sweepEvery)
	defer ticker.Stop()
	for {
		if n, err := svc.RecordExpiries(ctx); err != nil {
			log.Error("record expired invitations", "err", err)
		} else if n > 0 {
			log.Info("invitations expired", "count", n)
		}
		if _, err := svc.PurgeThrottles(ctx); err != nil {
			log.Error("purge throttles", "err", err)
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

// checkBaseURL refuses a base URL with a user or password: it is in every e-mail's
// links and in the start log line, which must not show credentials.
func checkBaseURL(baseURL string) error {
	u, err := url.Parse(baseURL)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return fmt.Errorf("server: --base-url is not a URL: %w", urlErr.Err) // url.Error would quote it whole
	}
	if err == nil && u.User != nil {
		return errors.New("server: --base-url must not carry a user or password: e-mail links and the log would show them")
	}
	return err
}

// sessionSecret is the configured session secret, from the flag or read from the file;
// "" when neither is set.
func sessionSecret(cfg Config) (string, error) {
	if cfg.SessionSecretFile == "" {
		return cfg.SessionSecret, nil
	}
	if cfg.SessionSecret != "" {
		return "", errors.New("--session-secret and --session-secret-file cannot be used together")
	}
	b, err := os.ReadFile(cfg.SessionSecretFile)
	if err != nil {
		return "", fmt.Errorf("--session-secret-file: %w", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("--session-secret-file: %s is empty", cfg.SessionSecretFile)
	}
	return secret, nil
}

// keys are what the server secret is for, each derived from it under its own label.
type keys struct {
	sessionHash, sessionBlock []byte
	// accessToken signs the access tokens of the Scalingo-compatible token exchange.
	accessToken []byte
}

// secretKeys derives the keys from the configured secret, or else from random bytes
// generated once and kept in the store, so that a restart keeps people signed in.
func secretKeys(ctx context.Context, st *store.Store, secret string) (keys, error) {
	seed := []byte(secret)
	if secret == "" {
		candidate := make([]byte, 64)
		if _, err := rand.Read(candidate); err != nil {
			return keys{}, fmt.Errorf("server: session secret: %w", err)
		}
		var err error
		if seed, err = st.SettingOrCreate(ctx, "session_secret", candidate); err != nil {
			return keys{}, err
		}
	}
	derive := func(label string) []byte {
		mac := hmac.New(sha256.New, seed)
		mac.Write([]byte(label))
		return mac.Sum(nil)
	}
	return keys{
		sessionHash:  derive("dbcollab session signing"),
		sessionBlock: derive("dbcollab session encryption"),
		accessToken:  derive("dbcollab access token signing"),
	}, nil
}
