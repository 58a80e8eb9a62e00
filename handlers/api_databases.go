package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
)

type apiDatabase struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Plan      string   `json:"plan"`
	Owner     apiOwner `json:"owner"`
	CreatedAt string   `json:"created_at"`
}

type apiOwner struct {
	Email    string `json:"email"`
	Username string `json:"username"`
}

func toAPIDatabase(db store.Database) apiDatabase {
	return apiDatabase{
		ID: db.ID, Name: db.Name, Plan: db.Plan,
		Owner:     apiOwner{Email: db.Owner.Email, Username: db.Owner.Username},
		CreatedAt: apiTime(db.CreatedAt),
	}
}

// apiDatabasesList lists the databases the token's user owns or collaborates on.
func (s *Server) apiDatabasesList(c echo.Context) error {
	list, err := s.Service.Databases(c.Request().Context(), apiUser(c).ID)
	if err != nil {
		return err
	}
	out := make([]apiDatabase, 0, len(list))
	for _, db := range list {
		out = append(out, toAPIDatabase(db))
	}
	return c.JSON(http.StatusOK, map[string][]apiDatabase{"databases": out})
}

// apiDatabaseShow shows one database, named by its name or its ID.
func (s *Server) apiDatabaseShow(c echo.Context) error {
	db, err := s.Service.Database(c.Request().Context(), apiUser(c).ID, c.Param("db"))
	if err != nil {
		return databaseNotFound(c, err)
	}
	return c.JSON(http.StatusOK, map[string]apiDatabase{"database": toAPIDatabase(db)})
}

// databaseNotFound is the 404 of a database that does not exist or may not be seen:
// both read the same.
func databaseNotFound(c echo.Context, err error) error {
	if errors.Is(err, service.ErrNotFound) {
		return &apiError{status: http.StatusNotFound, message: fmt.Sprintf("Database %s not found", c.Param("db"))}
	}
	return err
}
