package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/views"
)

func (s *Server) databaseOverview(c echo.Context) error {
	db, err := s.Service.Database(c.Request().Context(), currentUser(c).ID, c.Param("db"))
	if err != nil {
		return err
	}
	p, err := s.page(c, db.Name)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OverviewPage(p, db))
}

func (s *Server) databaseSettings(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, views.Form{})
}

// renderSettings shows Settings → General, with the Delete database form's input and
// errors.
func (s *Server) renderSettings(c echo.Context, status int, deleteForm views.Form) error {
	db, err := s.Service.Database(c.Request().Context(), currentUser(c).ID, c.Param("db"))
	if err != nil {
		return err
	}
	p, err := s.page(c, "Settings · "+db.Name)
	if err != nil {
		return err
	}
	return render(c, status, views.GeneralPage(p, db, deleteForm))
}
