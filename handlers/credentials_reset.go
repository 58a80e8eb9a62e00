package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
)

// credentialsReset gives the viewer's PostgreSQL login a new password and answers with
// the Overview showing it, this once. The password is in that answer only (no-store, as
// every page): not in a flash, because the session is a cookie kept by the browser and
// remembered decoded by the server (and would be a stored row with server-side
// sessions). A reload posts again, which makes another password.
func (s *Server) credentialsReset(c echo.Context) error {
	ctx, user := c.Request().Context(), currentUser(c)
	m, err := s.Service.Membership(ctx, user.ID, c.Param("db"))
	if err != nil {
		return err
	}
	creds, err := s.Service.ResetCredentials(ctx, user.ID, m.Database().ID)
	if message := credentialsRefusal(err); message != "" {
		s.flashError(c, message)
		return c.Redirect(http.StatusSeeOther, links.Database(m.Database().Name))
	}
	if err != nil {
		return err
	}
	return s.renderOverview(c, m, creds, nil)
}

// credentialsRefusal words why a member's credentials cannot be shown or reset now;
// empty for any other error.
func credentialsRefusal(err error) string {
	switch {
	case errors.Is(err, service.ErrNoPostgres):
		return "No PostgreSQL server is attached to this dashboard"
	case errors.Is(err, service.ErrAccessNotReady):
		return "Your PostgreSQL login on this database is still being granted: try again in a moment"
	case errors.Is(err, service.ErrPostgresUnavailable):
		return "The PostgreSQL server cannot be reached right now: try again in a moment"
	}
	return ""
}
