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
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	tab, err := s.Service.CollaboratorsTab(c.Request().Context(), currentUser(c).ID, c.Param("db"), page)
	if err != nil {
		return err
	}
	db := tab.Database
	p, err := s.page(c, "Collaborators · "+db.Name)
	if err != nil {
		return err
	}
	v := views.CollaboratorsView{Database: db, Rows: tab.Rows, AddForm: addForm, Events: tab.Events, EventsPage: page, MoreEvents: tab.MoreEvents}
	return render(c, status, views.CollaboratorsPage(p, v))
}
