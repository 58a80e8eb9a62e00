package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
)

// The Scalingo-compatible API authenticates as the official client does: it exchanges
// an API token, sent as the password of Basic auth with an empty user, for an access
// token (a JWT) that it then sends as a Bearer token. The access token opens these
// compatible routes only; the dbcollab API takes API tokens alone.

type scalingoTokenResponse struct {
	Token string `json:"token"`
}

// scalingoTokenExchange answers an access token for the API token of the Basic auth.
// The body ({} from the official client) carries nothing and is not read.
func (s *Server) scalingoTokenExchange(c echo.Context) error {
	user, apiToken, ok := c.Request().BasicAuth()
	if !ok || user != "" || apiToken == "" {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="dbcollab"`)
		return &apiError{status: http.StatusUnauthorized,
			message: "Missing API token: send it as the password of Basic auth, with an empty user"}
	}
	token, err := s.Service.ExchangeAPIToken(c.Request().Context(), apiToken)
	if errors.Is(err, service.ErrInvalidAPIToken) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="dbcollab"`)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, scalingoTokenResponse{Token: token})
}

// requireAccessToken authenticates a compatible request by its Authorization: Bearer
// access token. As with API tokens, rights are read by each rule on each request, and
// the access token's API token is looked up every time, so revoking it holds at once.
func (s *Server) requireAccessToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearerToken(c.Request())
		if !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="dbcollab"`)
			return &apiError{status: http.StatusUnauthorized,
				message: "Missing access token: exchange an API token at /v1/tokens/exchange and send it in an Authorization: Bearer header"}
		}
		user, err := s.Service.UserByAccessToken(c.Request().Context(), token)
		if errors.Is(err, service.ErrInvalidAccessToken) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="dbcollab", error="invalid_token"`)
		}
		if err != nil {
			return err
		}
		c.Set(apiUserKey, &user)
		return next(c)
	}
}
