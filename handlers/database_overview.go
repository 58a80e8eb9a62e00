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
	return render(c, http.StatusOK, views.OverviewPage(p, db, views.ConnectView{}))
}

func (s *Server) databaseSettings(c echo.Context) error {
	db, err := s.Service.Database(c.Request().Context(), currentUser(c).ID, c.Param("db"))
	if err != nil {
		return err
	}
	p, err := s.page(c, "Settings · "+db.Name)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.GeneralPage(p, db))
}
