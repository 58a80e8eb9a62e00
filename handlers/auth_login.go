package handlers

import (
	"net/http"

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
	email := c.FormValue("email")
	user, err := s.Service.Authenticate(c.Request().Context(), email, c.FormValue("password"))
	if e, ok := service.AsError(err); ok {
		p, perr := s.page(c, "Log in")
		if perr != nil {
			return perr
		}
		f := views.Form{Values: map[string]string{"email": email}}
		return render(c, http.StatusUnauthorized, views.LoginPage(p, f, e.Message))
	}
	if err != nil {
		return err
	}
	next, err := s.signIn(c, user)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// logout is a POST, so that no link or image can sign someone out.
func (s *Server) logout(c echo.Context) error {
	sess := s.session(c)
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
