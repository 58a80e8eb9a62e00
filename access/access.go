// Package access is the PostgreSQL side of membership: the admin pool, the SQL of each
// event (create a database, grant, revoke, drop), the runner of the access jobs that
// package service queues, and the reconciler that brings the server back to what the
// store wants. It implements service.Postgres, as handlers implement HTTP over service.
//
// Everything it creates carries a mark (COMMENT ON ROLE / DATABASE) naming this store's
// instance; it never alters nor drops anything without it.
package access

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"dbcollab/service"
	"dbcollab/store"
)

// Server is the attached PostgreSQL server, seen through its admin role.
type Server struct {
	pool  *pgxpool.Pool
	store *store.Store
	log   *slog.Logger
	// instance is the store's mark (see instanceMark).
	instance string
	host     string
	port     int
	// superuser: the admin role needs no membership of the roles it manages.
	superuser bool
	wake      chan struct{}
	// claimer names this runner's claims on jobs.
	claimer string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// connectTimeout bounds a connection attempt, so that a server that is down is known
// to be down at once rather than after the operating system's TCP timeout.
const connectTimeout = 3 * time.Second

// New returns the server at url (an admin role's connection URL) for st. It does not
// connect: a server that is down at start is reached once it is back.
func New(url string, st *store.Store, log *slog.Logger) (*Server, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold the admin's password: the error is not repeated.
		return nil, errors.New("access: --postgres-url is not a valid PostgreSQL URL")
	}
	cfg.ConnConfig.ConnectTimeout = connectTimeout
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	instance, err := instanceMark(st)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Server{pool: pool, store: st, log: log, instance: instance, host: cfg.ConnConfig.Host, port: int(cfg.ConnConfig.Port),
		wake: make(chan struct{}, 1), claimer: store.NewClaimer(), Now: time.Now}
	s.checkSuperuser()
	return s, nil
}

// instanceMark returns the store's mark, made once: random, so that two dbcollab
// instances sharing a server, and anything made by hand, never touch each other's.
func instanceMark(st *store.Store) (string, error) {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	v, err := st.SettingOrCreate(context.Background(), "access_instance", []byte(hex.EncodeToString(b)))
	return string(v), err
}

// Close closes the admin pool.
func (s *Server) Close() { s.pool.Close() }

// Address is where members connect: the admin URL's host and port.
func (s *Server) Address() (string, int) { return s.host, s.port }

// Wake tells the runner that jobs were queued. It never blocks.
func (s *Server) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Marks, the comments on what dbcollab created.
func (s *Server) mark(kind string) string { return "dbcollab " + s.instance + " " + kind }

const (
	markGroup    = "group"
	markMember   = "member"
	markDatabase = "database"
)

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// literal quotes s as an SQL string literal (standard_conforming_strings is on since
// PostgreSQL 9.1); for the statements that take no bind parameters.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// unavailable wraps err as service.ErrPostgresUnavailable, logged here with its detail.
func (s *Server) unavailable(what string, err error) error {
	s.log.Error("postgresql", "op", what, "err", err)
	return fmt.Errorf("%w: %s: %v", service.ErrPostgresUnavailable, what, firstLine(err.Error()))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// pgCode returns the SQLSTATE of err, if PostgreSQL answered one.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// checkSuperuser learns whether the admin role is a superuser; a server that does not
// answer leaves it taken for one that is not, which only adds harmless grants.
func (s *Server) checkSuperuser() {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	var super bool
	if err := s.pool.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err == nil {
		s.superuser = super
	}
}
