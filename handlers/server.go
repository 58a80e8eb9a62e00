// Package handlers serves the dashboard: Echo handlers that parse a request, call the
// rules in package service, and render a templ page or redirect.
package handlers

import (
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/gorilla/sessions"

	"dbcollab/service"
)

// Server holds what the handlers share.
type Server struct {
	Service  *service.Service
	Sessions *sessions.CookieStore
	Log      *slog.Logger
	// Secure is true when the dashboard is served over https: cookies get Secure.
	Secure bool
	// TrustedProxies are the peers whose X-Forwarded-For gives the client address.
	TrustedProxies []netip.Prefix

	// sessionCache remembers decoded session cookies (see sessionCache); made on first use.
	sessionCacheOnce sync.Once
	sessionCache     *sessionCache
	// collaboratorsCache keeps finished Collaborators tabs (see collaboratorsCache).
	collaboratorsCache collaboratorsCache
	// draining is set when the server is about to stop (Drain).
	draining atomic.Bool
}

// Drain makes the health check answer 503 from now on, every other request being served
// as before: a load balancer checking it stops sending requests here.
func (s *Server) Drain() { s.draining.Store(true) }
