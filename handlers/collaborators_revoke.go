package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

// collaboratorsRevokeConfirm is the confirmation page that stands for the popup when
// JavaScript is off.
func (s *Server) collaboratorsRevokeConfirm(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	db, m, err := s.Service.Collaborator(c.Request().Context(), currentUser(c).ID, c.Param("db"), id)
	if e, ok := service.AsError(err); ok && e.Kind == service.Invalid {
		return s.refuseRevoke(c, e)
	}
	if err != nil {
		return err
	}
	p, err := s.page(c, "Revoke access · "+db.Name)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RevokePage(p, db, m))
}

func (s *Server) collaboratorsRevoke(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	r, err := s.Service.Revoke(c.Request().Context(), currentUser(c).ID, c.Param("db"), id)
	if e, ok := service.AsError(err); ok && e.Kind == service.Invalid {
		return s.refuseRevoke(c, e)
	}
	if err != nil {
		return err
	}
	if r.Left {
		s.flash(c, "You no longer collaborate on "+r.Database.Name)
		return c.Redirect(http.StatusSeeOther, "/")
	}
	s.flash(c, r.Email+" has been removed from the collaborators of "+r.Database.Name)
	return c.Redirect(http.StatusSeeOther, links.Collaborators(r.Database.Name))
}

// refuseRevoke goes back to the Collaborators tab saying why the row cannot be revoked
// (the owner's). The rules found the database by this reference, so it is safe to reuse.
func (s *Server) refuseRevoke(c echo.Context, e *service.Error) error {
	s.flashError(c, e.Message)
	return c.Redirect(http.StatusSeeOther, links.Collaborators(c.Param("db")))
}

// rowID reads the collaborator row from the path; anything but a number is a 404.
func rowID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}
