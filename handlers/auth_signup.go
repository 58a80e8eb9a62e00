package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

func (s *Server) signupForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	p, err := s.page(c, "Sign up")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SignupPage(p, views.Form{}))
}

func (s *Server) signup(c echo.Context) error {
	in := service.SignupInput{Email: c.FormValue("email"), Username: c.FormValue("username"), Password: c.FormValue("password")}
	user, err := s.Service.Signup(c.Request().Context(), in)
	if fields := service.ByField(err); len(fields) > 0 {
		p, perr := s.page(c, "Sign up")
		if perr != nil {
			return perr
		}
		f := views.Form{Values: map[string]string{"email": in.Email, "username": in.Username}, Errors: fields}
		return render(c, http.StatusUnprocessableEntity, views.SignupPage(p, f))
	}
	if err != nil {
		return err
	}
	next, err := s.signIn(c, user)
	if err != nil {
		return err
	}
	if err := s.flash(c, "Welcome to dbcollab, "+user.Username+"."); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}
