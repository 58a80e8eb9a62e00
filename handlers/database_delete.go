package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

// databaseDelete deletes the database once its owner typed its name. A collaborator,
// who has no such form, is sent back to the page with the reason.
func (s *Server) databaseDelete(c echo.Context) error {
	ctx, userID, typed := c.Request().Context(), currentUser(c).ID, c.FormValue("name")
	db, err := s.Service.DeleteDatabaseConfirmed(ctx, userID, c.Param("db"), typed)
	if e, ok := service.AsError(err); ok && e.Kind == service.Invalid {
		if e.Field == "" {
			s.flashError(c, e.Message)
			return c.Redirect(http.StatusSeeOther, links.Settings(db.Name))
		}
		return s.renderSettings(c, http.StatusUnprocessableEntity,
			views.Form{Values: map[string]string{"name": typed}, Errors: service.ByField(err)})
	}
	if err != nil {
		return err
	}
	s.flash(c, "The database "+db.Name+" has been deleted")
	return c.Redirect(http.StatusSeeOther, links.Home)
}
