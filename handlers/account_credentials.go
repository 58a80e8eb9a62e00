package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

// accountPasswordChange changes the password, given the current one, and logs out every
// other device.
func (s *Server) accountPasswordChange(c echo.Context) error {
	ended, err := s.Service.ChangePassword(c.Request().Context(), currentUser(c).ID, currentSession(c).ID,
		c.FormValue("current_password"), c.FormValue("new_password"))
	if fields := service.ByField(err); len(fields) > 0 {
		setRetryAfter(c, err)
		return s.renderAccount(c, formStatus(err), views.AccountView{PasswordForm: views.Form{Errors: fields}})
	}
	if err != nil {
		return err
	}
	s.flash(c, fmt.Sprintf("Your password has been changed; every other device was logged out (%d).", ended))
	return c.Redirect(http.StatusSeeOther, links.Account)
}

// accountEmailChange e-mails a confirmation link to the new address; the account keeps
// its address until the link is followed.
func (s *Server) accountEmailChange(c echo.Context) error {
	typed := c.FormValue("new_email")
	email, err := s.Service.RequestEmailChange(c.Request().Context(), currentUser(c).ID, typed, c.FormValue("email_password"))
	if fields := service.ByField(err); len(fields) > 0 {
		setRetryAfter(c, err)
		f := views.Form{Values: map[string]string{"new_email": typed}, Errors: fields}
		return s.renderAccount(c, formStatus(err), views.AccountView{EmailForm: f})
	}
	if err != nil {
		return err
	}
	s.flash(c, fmt.Sprintf("We sent a confirmation link to %s; until it is followed, your address stays %s.", email, currentUser(c).Email))
	return c.Redirect(http.StatusSeeOther, links.Account)
}

// formStatus is 422 for a form's field errors, or the status of a refusal of the whole
// form (too many attempts).
func formStatus(err error) int {
	if e, ok := service.AsError(err); ok && e.Field == "" {
		return statusOf(e)
	}
	return http.StatusUnprocessableEntity
}
