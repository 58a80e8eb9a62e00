package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

func (s *Server) collaboratorsAdd(c echo.Context) error {
	email := c.FormValue("email")
	db, invite, err := s.Service.Invite(c.Request().Context(), currentUser(c).ID, c.Param("db"), email)
	if e, ok := service.AsError(err); ok && e.Field != "" {
		f := views.Form{Values: map[string]string{"email": email}, Errors: map[string]string{e.Field: e.Message}}
		return s.renderCollaborators(c, statusOf(e), f)
	}
	if err != nil {
		return err
	}
	s.flash(c, invite.Email+" has been invited to collaborate to "+db.Name)
	return c.Redirect(http.StatusSeeOther, links.Collaborators(db.Name))
}

// statusOf is the HTTP status that answers a rule's refusal.
func statusOf(e *service.Error) int {
	switch e.Kind {
	case service.NotFound:
		return http.StatusNotFound
	case service.Conflict:
		return http.StatusConflict
	case service.Unauthorized:
		return http.StatusUnauthorized
	case service.TooMany:
		return http.StatusTooManyRequests
	default:
		return http.StatusUnprocessableEntity
	}
}
