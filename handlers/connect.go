package handlers

import (
	"errors"
	"strings"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

// Plain words for the states of the Connect card and the usage.
const (
	accessBeingGranted = "Your PostgreSQL login on this database is being granted: your credentials will show here in a moment (reload the page)."
	postgresDown       = "The PostgreSQL server cannot be reached right now: its size and who is connected are unknown until it is back."
)

// connectView is the Overview's Connect card and usage for the viewer of m: their
// credentials (creds, or why there are none: credsErr), the database's size and who is
// connected now. Only the answer to a reset has a password in creds.
func (s *Server) connectView(c echo.Context, m service.Membership, creds service.Credentials, credsErr error) (views.ConnectView, error) {
	v := views.ConnectView{Attached: s.Service.PostgresAttached()}
	if !v.Attached {
		return v, nil
	}
	ctx, user := c.Request().Context(), currentUser(c)
	switch {
	case credsErr == nil:
		v.Host, v.Port, v.Database, v.User, v.URI, v.Password = creds.Host, creds.Port, creds.Database, creds.User, creds.URI(), creds.Password
	case errors.Is(credsErr, service.ErrAccessNotReady):
		states, _, err := s.Service.AccessStates(ctx, m, []int64{user.ID})
		if err != nil {
			return v, err
		}
		v.Waiting = waitingFor(states[user.ID])
	default:
		return v, credsErr
	}

	stats, err := s.Service.DatabaseStats(ctx, m)
	switch {
	case errors.Is(err, service.ErrPostgresUnavailable):
		v.UsageUnknown = postgresDown
		return v, nil
	case errors.Is(err, service.ErrAccessNotReady):
		v.UsageUnknown = "This database is not on the PostgreSQL server yet."
		return v, nil
	case err != nil:
		return v, err
	}
	v.SizeBytes = stats.SizeBytes
	if len(stats.Sessions) == 0 {
		return v, nil
	}
	_, rows, err := s.Service.Collaborators(ctx, user.ID, m.Database().ID)
	if err != nil {
		return v, err
	}
	for _, r := range rows {
		if n := stats.Sessions[r.UserID]; n > 0 && r.UserID != 0 {
			v.Connected = append(v.Connected, views.MemberSessions{Username: r.Username, Sessions: n})
		}
	}
	return v, nil
}

// waitingFor says why a member has no credentials to show yet.
func waitingFor(a service.MemberAccess) string {
	if a.State == service.AccessFailing {
		line, _, _ := strings.Cut(a.Error, "\n")
		return "Your PostgreSQL login on this database could not be granted yet (" + line + "); dbcollab keeps trying."
	}
	return accessBeingGranted
}
