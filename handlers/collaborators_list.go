package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/views"
)

func (s *Server) collaboratorsList(c echo.Context) error {
	return s.renderCollaborators(c, http.StatusOK, views.Form{})
}

// renderCollaborators shows the Collaborators tab, with the Add form as given.
func (s *Server) renderCollaborators(c echo.Context, status int, addForm views.Form) error {
	db, rows, err := s.Service.Collaborators(c.Request().Context(), currentUser(c).ID, c.Param("db"))
	if err != nil {
		return err
	}
	p, err := s.page(c, "Collaborators · "+db.Name)
	if err != nil {
		return err
	}
	return render(c, status, views.CollaboratorsPage(p, db, rows, addForm))
}
