package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

// fromInvitation marks a sign-up started from an invitation's page (?from= on the form's
// address, from= in the form).
const fromInvitation = "invitation"

func (s *Server) signupForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	inv, locked, err := s.signupInvitation(c, c.QueryParam("from"))
	if err != nil {
		return err
	}
	f, invitedTo := views.Form{}, ""
	if locked {
		f.Values, invitedTo = map[string]string{"email": inv.Collaborator.Email}, inv.Database.Name
	}
	p, err := s.page(c, "Sign up")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SignupPage(p, f, invitedTo))
}

func (s *Server) signup(c echo.Context) error {
	in := service.SignupInput{Email: c.FormValue("email"), Username: c.FormValue("username"), Password: c.FormValue("password")}
	inv, locked, err := s.signupInvitation(c, c.FormValue("from"))
	if err != nil {
		return err
	}
	invitedTo := ""
	if locked {
		// The field is read-only in the page; whatever was sent, the account gets the
		// address the invitation was sent to.
		in.Email, invitedTo = inv.Collaborator.Email, inv.Database.Name
	}
	user, err := s.Service.Signup(c.Request().Context(), in)
	if fields := service.ByField(err); len(fields) > 0 {
		p, perr := s.page(c, "Sign up")
		if perr != nil {
			return perr
		}
		f := views.Form{Values: map[string]string{"email": in.Email, "username": in.Username}, Errors: fields}
		return render(c, http.StatusUnprocessableEntity, views.SignupPage(p, f, invitedTo))
	}
	if err != nil {
		return err
	}
	next := s.signIn(c, user)
	s.flash(c, "Welcome to dbcollab, "+user.Username+".")
	return c.Redirect(http.StatusSeeOther, next)
}

// signupInvitation returns the invitation a sign-up is for, and whether its address is
// locked: the sign-up says it came from an invitation's page and the session holds an
// invitation that can still be accepted.
func (s *Server) signupInvitation(c echo.Context, from string) (service.Invitation, bool, error) {
	if from != fromInvitation {
		return service.Invitation{}, false, nil
	}
	token, ok := s.session(c).Values[sessionInvitation].(string)
	if !ok {
		return service.Invitation{}, false, nil
	}
	inv, err := s.Service.Invitation(c.Request().Context(), token)
	if err != nil {
		return service.Invitation{}, false, err
	}
	return inv, inv.State == service.InvitationOpen, nil
}
