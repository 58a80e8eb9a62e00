package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/views"
)

func (s *Server) collaboratorsList(c echo.Context) error {
	return s.renderCollaborators(c, http.StatusOK, views.Form{})
}

// renderCollaborators shows the Collaborators tab, with the Add form as given and the
// page of Activity the query asks for.
func (s *Server) renderCollaborators(c echo.Context, status int, addForm views.Form) error {
	ctx, user := c.Request().Context(), currentUser(c)
	db, rows, err := s.Service.Collaborators(ctx, user.ID, c.Param("db"))
	if err != nil {
		return err
	}
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	_, events, more, err := s.Service.Events(ctx, user.ID, db.ID, page)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Collaborators · "+db.Name)
	if err != nil {
		return err
	}
	v := views.CollaboratorsView{Database: db, Rows: rows, AddForm: addForm, Events: events, EventsPage: page, MoreEvents: more}
	return render(c, status, views.CollaboratorsPage(p, v))
}
