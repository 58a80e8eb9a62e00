package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

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
		if err := s.flash(c, "You no longer collaborate on "+r.Database.Name); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if err := s.flash(c, r.Email+" has been removed from the collaborators of "+r.Database.Name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/databases/"+r.Database.Name+"/settings/collaborators")
}

// refuseRevoke goes back to the Collaborators tab saying why the row cannot be revoked
// (the owner's). The rules found the database by this reference, so it is safe to reuse.
func (s *Server) refuseRevoke(c echo.Context, e *service.Error) error {
	if err := s.flashError(c, e.Message); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/databases/"+c.Param("db")+"/settings/collaborators")
}

// rowID reads the collaborator row from the path; anything but a number is a 404.
func rowID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}
