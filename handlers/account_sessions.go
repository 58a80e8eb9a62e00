package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
)

// accountSessionLogout logs out one of the signed-in user's sessions: its row goes, so
// every copy of its cookie stops working at once. Someone else's session is not found.
func (s *Server) accountSessionLogout(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	if err := s.Service.EndSessionByID(c.Request().Context(), currentUser(c).ID, id); err != nil {
		return err
	}
	if id == currentSession(c).ID {
		return c.Redirect(http.StatusSeeOther, links.Login)
	}
	s.flash(c, "That device has been logged out.")
	return c.Redirect(http.StatusSeeOther, links.Account)
}

// accountSessionsLogoutOthers logs out every session of the account but this one.
func (s *Server) accountSessionsLogoutOthers(c echo.Context) error {
	n, err := s.Service.EndOtherSessions(c.Request().Context(), currentUser(c).ID, currentSession(c).ID)
	if err != nil {
		return err
	}
	s.flash(c, fmt.Sprintf("Every other device has been logged out (%d).", n))
	return c.Redirect(http.StatusSeeOther, links.Account)
}
