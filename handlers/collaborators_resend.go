package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
)

// collaboratorsResend e-mails a fresh link for a pending or expired invitation.
func (s *Server) collaboratorsResend(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	db, m, err := s.Service.Resend(c.Request().Context(), currentUser(c).ID, c.Param("db"), id)
	if e, ok := service.AsError(err); ok && e.Kind != service.NotFound {
		s.flashError(c, e.Message)
		return c.Redirect(http.StatusSeeOther, links.Collaborators(c.Param("db")))
	}
	if err != nil {
		return err
	}
	s.flash(c, m.Email+" has been sent a new invitation; the previous link no longer works")
	return c.Redirect(http.StatusSeeOther, links.Collaborators(db.Name))
}
