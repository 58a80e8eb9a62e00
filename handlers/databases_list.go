package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/views"
)

func (s *Server) databasesList(c echo.Context) error {
	databases, err := s.Service.Databases(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Your databases")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.DatabasesPage(p, databases))
}
