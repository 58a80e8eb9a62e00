package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
)

type apiTokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Name is optional; the token is named after the CLI and the day without it.
	Name string `json:"name"`
	// ExpiresInDays is optional; without it (or with 0) the token never expires.
	ExpiresInDays json.Number `json:"expires_in_days"`
}

type apiTokenResponse struct {
	Token string `json:"token"`
	// ExpiresAt is null for a token that never expires.
	ExpiresAt *string `json:"expires_at"`
}

// apiTokenCreate logs in with an e-mail and password and answers a new API token, the
// only time it is shown.
func (s *Server) apiTokenCreate(c echo.Context) error {
	var in apiTokenRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	lifetime, err := service.ParseAPITokenLifetime(in.ExpiresInDays.String())
	if err != nil {
		return err
	}
	attempt := service.LoginAttempt{Email: in.Email, Password: in.Password, ClientAddr: c.RealIP(), Cookieless: true}
	token, stored, err := s.Service.LogInForAPIToken(c.Request().Context(), attempt, in.Name, lifetime)
	if err != nil {
		setRetryAfter(c, err)
		return err
	}
	return c.JSON(http.StatusCreated, apiTokenResponse{Token: token, ExpiresAt: apiOptionalTime(stored.ExpiresAt)})
}

// apiTokenRevokeCurrent revokes the token the request is made with: the CLI's logout.
func (s *Server) apiTokenRevokeCurrent(c echo.Context) error {
	token, _ := bearerToken(c.Request()) // requireAPIToken has checked it
	if err := s.Service.RevokeAPITokenInUse(c.Request().Context(), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
