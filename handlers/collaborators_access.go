package handlers

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/views"
)

// liveSessions are the PostgreSQL sessions open now on a database, by member user ID.
// key spells them ("id:n," in ID order) so that a cached tab can be checked against them.
type liveSessions struct {
	key    string
	byUser map[int64]int
}

// liveSessions reads the sessions open now on m's database; none without a server, or
// while it cannot tell (the rows then show no count).
func (s *Server) liveSessions(c echo.Context, m service.Membership) (liveSessions, error) {
	if !s.Service.PostgresAttached() {
		return liveSessions{}, nil
	}
	stats, err := s.Service.DatabaseStats(c.Request().Context(), m)
	if errors.Is(err, service.ErrPostgresUnavailable) || errors.Is(err, service.ErrAccessNotReady) {
		return liveSessions{}, nil
	}
	if err != nil {
		return liveSessions{}, err
	}
	var key strings.Builder
	for _, id := range slices.Sorted(maps.Keys(stats.Sessions)) {
		fmt.Fprintf(&key, "%d:%d,", id, stats.Sessions[id])
	}
	return liveSessions{key: key.String(), byUser: stats.Sessions}, nil
}

// accessView is what the Collaborators tab of m says of PostgreSQL access: the state of
// each member among rows with their sessions, and who is still being removed.
func (s *Server) accessView(c echo.Context, m service.Membership, sessions liveSessions, rows []store.Collaborator) (views.AccessView, error) {
	states, removing, err := s.accessStates(c, m, rows)
	if err != nil || states == nil {
		return views.AccessView{}, err
	}
	v := views.AccessView{Members: make(map[int64]views.MemberAccess, len(states)), StillBeingRemoved: removing}
	for id, a := range states {
		v.Members[id] = views.MemberAccess{State: string(a.State), Error: a.Error, Sessions: sessions.byUser[id]}
	}
	return v, nil
}

// accessStates is service.AccessStates, or nothing without a PostgreSQL server (every
// member then has no access to show).
func (s *Server) accessStates(c echo.Context, m service.Membership, rows []store.Collaborator) (map[int64]service.MemberAccess, []string, error) {
	if !s.Service.PostgresAttached() {
		return nil, nil, nil
	}
	return s.Service.AccessStates(c.Request().Context(), m, service.MemberIDs(rows))
}
