package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
)

// apiCredentials is how a member connects; Password only in the answer to a reset.
type apiCredentials struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Database string `json:"database"`
	User     string `json:"user"`
	URI      string `json:"uri"`
	Password string `json:"password,omitempty"`
}

// apiCredentialsAnswer names whose credentials they are, for the CLI's header.
type apiCredentialsAnswer struct {
	Credentials apiCredentials `json:"credentials"`
	Username    string         `json:"username"`
}

func toAPICredentials(c service.Credentials, username string) apiCredentialsAnswer {
	return apiCredentialsAnswer{Username: username, Credentials: apiCredentials{
		Host: c.Host, Port: c.Port, Database: c.Database, User: c.User, URI: c.URI(), Password: c.Password}}
}

// apiCredentialsShow shows the token's user's own PostgreSQL login, without password.
func (s *Server) apiCredentialsShow(c echo.Context) error {
	user := apiUser(c)
	creds, err := s.Service.Credentials(c.Request().Context(), user.ID, c.Param("db"))
	if err != nil {
		return credentialsNotAvailable(c, err)
	}
	return c.JSON(http.StatusOK, toAPICredentials(creds, user.Username))
}

// apiCredentialsReset gives the token's user's login a new password, in this answer only.
func (s *Server) apiCredentialsReset(c echo.Context) error {
	user := apiUser(c)
	creds, err := s.Service.ResetCredentials(c.Request().Context(), user.ID, c.Param("db"))
	if err != nil {
		return credentialsNotAvailable(c, err)
	}
	return c.JSON(http.StatusCreated, toAPICredentials(creds, user.Username))
}

// credentialsNotAvailable is the 404 of a database one may not see, else 409 while the
// login is being granted, 503 without a server or while it cannot be reached.
func credentialsNotAvailable(c echo.Context, err error) error {
	message := credentialsRefusal(err)
	switch {
	case message == "":
		return databaseNotFound(c, err)
	case errors.Is(err, service.ErrAccessNotReady):
		return &apiError{status: http.StatusConflict, message: message}
	}
	return &apiError{status: http.StatusServiceUnavailable, message: message}
}
