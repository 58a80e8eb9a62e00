package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/views"
)

// sessionPasswordReset is the token of the password reset link being used.
const sessionPasswordReset = "password_reset"

func (s *Server) forgotPasswordForm(c echo.Context) error {
	return s.renderForgotPassword(c, http.StatusOK, views.Form{}, "")
}

// forgotPassword answers alike whether the address has an account or not: only its
// mailbox learns the difference.
func (s *Server) forgotPassword(c echo.Context) error {
	email := c.FormValue("email")
	err := s.Service.RequestPasswordReset(c.Request().Context(), email, c.RealIP())
	if e, ok := service.AsError(err); ok {
		f := views.Form{Values: map[string]string{"email": email}, Errors: service.ByField(err)}
		var throttled *service.ResetThrottledError
		if errors.As(err, &throttled) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(throttled.Seconds()))
			return s.renderForgotPassword(c, statusOf(e), views.Form{Values: f.Values}, e.Message)
		}
		return s.renderForgotPassword(c, statusOf(e), f, "")
	}
	if err != nil {
		return err
	}
	p, err := s.page(c, "Check your mailbox")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ResetRequestedPage(p))
}

func (s *Server) renderForgotPassword(c echo.Context, status int, f views.Form, errorMessage string) error {
	p, err := s.page(c, "Forgot your password?")
	if err != nil {
		return err
	}
	return render(c, status, views.ForgotPasswordPage(p, f, errorMessage))
}

// openPasswordReset is where the reset e-mail's link leads. Like a sign-up confirmation
// link, it keeps the token in the (encrypted) session and moves on, so that the token
// leaves the address bar and never appears in a page, a log line or a Referer. Opening
// the link changes nothing.
func (s *Server) openPasswordReset(c echo.Context) error {
	s.keepToken(c, sessionPasswordReset)
	if err := s.saveSession(c, s.session(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.PasswordReset)
}

// keepToken keeps the path's token in the session under key, unless it is longer than
// any we make (it would not even fit in the cookie).
func (s *Server) keepToken(c echo.Context, key string) {
	sess := s.session(c)
	if token := c.Param("token"); len(token) <= maxTokenLength {
		sess.Values[key] = token
	} else {
		delete(sess.Values, key)
	}
}

func (s *Server) showPasswordReset(c echo.Context) error {
	token, _ := s.session(c).Values[sessionPasswordReset].(string)
	user, err := s.Service.PasswordReset(c.Request().Context(), token)
	if e, ok := service.AsError(err); ok {
		return s.renderPasswordReset(c, statusOf(e), nil, views.Form{}, e.Message)
	}
	if err != nil {
		return err
	}
	return s.renderPasswordReset(c, http.StatusOK, &user, views.Form{}, "")
}

// resetPassword sets the new password, ends every session of the account, and signs
// this browser in with a new one.
func (s *Server) resetPassword(c echo.Context) error {
	sess := s.session(c)
	token, _ := sess.Values[sessionPasswordReset].(string)
	user, session, err := s.Service.ResetPassword(c.Request().Context(), token, c.FormValue("password"), c.Request().UserAgent(), c.RealIP())
	if fields := service.ByField(err); fields["password"] != "" {
		// The password is checked first: the link may be unusable too.
		u, linkErr := s.Service.PasswordReset(c.Request().Context(), token)
		if linkErr == nil {
			return s.renderPasswordReset(c, http.StatusUnprocessableEntity, &u, views.Form{Errors: fields}, "")
		}
		err = linkErr
	}
	if e, ok := service.AsError(err); ok {
		return s.renderPasswordReset(c, statusOf(e), nil, views.Form{}, e.Message)
	}
	if err != nil {
		return err
	}
	if err := s.rememberDevice(c, user); err != nil {
		return err
	}
	next := s.holdSession(c, session)
	s.flash(c, "Your password has been set; every other device was logged out.")
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) renderPasswordReset(c echo.Context, status int, user *store.User, f views.Form, message string) error {
	p, err := s.page(c, "Choose a new password")
	if err != nil {
		return err
	}
	return render(c, status, views.ResetPasswordPage(p, user, f, message))
}
