package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
)

// deviceCookie marks a browser that logged in to an account. The log-in throttle does
// not make it wait for that account's failures nor its address's (only its own), so
// that someone failing on purpose cannot keep the account's owner out. It is made with the session keys, so only the
// server can make one, and it goes only to the log-in form's action.
const (
	deviceCookie    = "dbcollab_device"
	deviceCookieAge = 30 * 24 * time.Hour
)

func (s *Server) rememberDevice(c echo.Context, user store.User) error {
	value, err := s.Sessions.Codecs[0].Encode(deviceCookie, user.Email)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: deviceCookie, Value: value, Path: "/login", MaxAge: int(deviceCookieAge / time.Second),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

// knownAccount is the e-mail of the account this browser logged in to, or "".
func (s *Server) knownAccount(c echo.Context) string {
	cookie, err := c.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	var email string
	for _, codec := range s.Sessions.Codecs {
		if codec.Decode(deviceCookie, cookie.Value, &email) == nil {
			return email
		}
	}
	return ""
}

// setRetryAfter tells a throttled client, in seconds, when it may try again.
func setRetryAfter(c echo.Context, err error) {
	var throttled *service.ThrottledError
	if errors.As(err, &throttled) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(throttled.Seconds()))
	}
}
