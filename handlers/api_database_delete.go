package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiDatabaseDelete deletes a database, its owner's only: the dashboard's Delete database.
func (s *Server) apiDatabaseDelete(c echo.Context) error {
	if _, err := s.Service.DeleteDatabase(c.Request().Context(), apiUser(c).ID, c.Param("db")); err != nil {
		return databaseNotFound(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}
