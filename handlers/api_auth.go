package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
)

const apiUserKey = "api_user"

// requireAPIToken authenticates a JSON API request by its Authorization: Bearer token.
// The account's rights are read by each rule on each request, so a revoked token or a
// revoked collaboration holds from the next request.
func (s *Server) requireAPIToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearerToken(c.Request())
		if !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="dbcollab"`)
			return &apiError{status: http.StatusUnauthorized,
				message: "Missing API token: send it in an Authorization: Bearer header"}
		}
		user, err := s.Service.UserByAPIToken(c.Request().Context(), token)
		if errors.Is(err, service.ErrInvalidAPIToken) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="dbcollab", error="invalid_token"`)
		}
		if err != nil {
			return err
		}
		c.Set(apiUserKey, &user)
		return next(c)
	}
}

// apiUser is the account the request's token belongs to.
func apiUser(c echo.Context) *store.User {
	u, _ := c.Get(apiUserKey).(*store.User)
	return u
}

// bearerToken reads "Authorization: Bearer TOKEN"; the scheme is case-insensitive.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, found := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
	token = strings.TrimSpace(token)
	return token, found && strings.EqualFold(scheme, "Bearer") && token != ""
}
