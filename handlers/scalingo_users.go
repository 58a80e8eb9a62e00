package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

type scalingoUser struct {
	ID       string          `json:"id"`
	Username string          `json:"username"`
	Email    string          `json:"email"`
	Flags    map[string]bool `json:"flags"`
}

// scalingoUserSelf is the account of the access token: `scalingo login` greets it.
func (s *Server) scalingoUserSelf(c echo.Context) error {
	u := apiUser(c)
	return c.JSON(http.StatusOK, map[string]scalingoUser{"user": {
		ID: strconv.FormatInt(u.ID, 10), Username: u.Username, Email: u.Email, Flags: map[string]bool{},
	}})
}

type scalingoRegion struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	API         string `json:"api"`
	DatabaseAPI string `json:"database_api"`
	SSH         string `json:"ssh"`
	Dashboard   string `json:"dashboard"`
	Default     bool   `json:"default"`
}

// scalingoRegions names this server as the one, default region. It says nothing the
// caller does not know already, and the official client asks for it with or without
// credentials, so it needs none.
func (s *Server) scalingoRegions(c echo.Context) error {
	url := s.Service.BaseURL
	return c.JSON(http.StatusOK, map[string][]scalingoRegion{"regions": {{
		Name: "dbcollab", DisplayName: "dbcollab", API: url, DatabaseAPI: url, Dashboard: url, Default: true,
	}}})
}
