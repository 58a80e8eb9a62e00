package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

func (s *Server) loginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	p, err := s.page(c, "Log in")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.LoginPage(p, views.Form{}, ""))
}

func (s *Server) login(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	f := views.Form{Values: map[string]string{"email": email}, Errors: map[string]string{}}
	// A blank field is said next to it; wrong credentials only as a whole, so that the
	// page does not tell which of the two was wrong.
	if strings.TrimSpace(email) == "" {
		f.Errors["email"] = "Enter your e-mail address"
	}
	if password == "" {
		f.Errors["password"] = "Enter your password"
	}
	if len(f.Errors) > 0 {
		return s.renderLogin(c, http.StatusUnprocessableEntity, f, "")
	}
	user, err := s.Service.LogIn(c.Request().Context(), service.LoginAttempt{
		Email: email, Password: password, ClientAddr: c.RealIP(), KnownAccount: s.knownAccount(c),
	})
	if e, ok := service.AsError(err); ok {
		setRetryAfter(c, err)
		return s.renderLogin(c, statusOf(e), f, e.Message)
	}
	if err != nil {
		return err
	}
	if err := s.rememberDevice(c, user); err != nil {
		return err
	}
	next, err := s.signIn(c, user)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) renderLogin(c echo.Context, status int, f views.Form, errorMessage string) error {
	p, err := s.page(c, "Log in")
	if err != nil {
		return err
	}
	return render(c, status, views.LoginPage(p, f, errorMessage))
}

// logout is a POST, so that no link or image can sign someone out. It deletes the
// session row: a copy of the cookie signs nobody in either.
func (s *Server) logout(c echo.Context) error {
	sess := s.session(c)
	if token, ok := sess.Values[sessionID].(string); ok {
		if err := s.Service.EndSession(c.Request().Context(), token); err != nil {
			return err
		}
	}
	// Keep an invitation being looked at, so that "switch account" leads back to it.
	token, hasInvitation := sess.Values[sessionInvitation].(string)
	sess.Values = map[any]any{}
	if hasInvitation {
		sess.Values[sessionInvitation] = token
	} else {
		sess.Options.MaxAge = -1
	}
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
