package handlers

import (
	"errors"
	"net/http"
	"strconv"

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
	return s.renderSignup(c, http.StatusOK, f, invitedTo, "")
}

func (s *Server) signup(c echo.Context) error {
	req := service.SignupRequest{
		SignupInput: service.SignupInput{Email: c.FormValue("email"), Username: c.FormValue("username"), Password: c.FormValue("password")},
		ClientAddr:  c.RealIP(),
	}
	inv, locked, err := s.signupInvitation(c, c.FormValue("from"))
	if err != nil {
		return err
	}
	invitedTo := ""
	if locked {
		// The field is read-only in the page; whatever was sent, the account gets the
		// address the invitation was sent to.
		req.Email, invitedTo = inv.Collaborator.Email, inv.Database.Name
	}
	// The link of an open invitation to the address signed up proves it, whatever page
	// the sign-up came from.
	req.InvitationToken, _ = s.session(c).Values[sessionInvitation].(string)
	out, err := s.Service.RequestSignup(c.Request().Context(), req)
	if fields := service.ByField(err); len(fields) > 0 {
		f := views.Form{Values: map[string]string{"email": req.Email, "username": req.Username}, Errors: fields}
		status, formError := http.StatusUnprocessableEntity, fields[""]
		if e, ok := service.AsError(err); ok && e.Field == "" {
			status = statusOf(e)
			setSignupRetryAfter(c, err)
		}
		return s.renderSignup(c, status, f, invitedTo, formError)
	}
	if err != nil {
		return err
	}
	if !out.Verified {
		p, err := s.page(c, "Check your mailbox")
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.CheckMailboxPage(p, req.Email))
	}
	next, err := s.signIn(c, out.User)
	if err != nil {
		return err
	}
	s.flash(c, "Welcome to dbcollab, "+out.User.Username+".")
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) renderSignup(c echo.Context, status int, f views.Form, invitedTo, formError string) error {
	p, err := s.page(c, "Sign up")
	if err != nil {
		return err
	}
	return render(c, status, views.SignupPage(p, f, invitedTo, formError))
}

// setSignupRetryAfter tells a throttled client, in seconds, when it may sign up again.
func setSignupRetryAfter(c echo.Context, err error) {
	var throttled *service.SignupThrottledError
	if errors.As(err, &throttled) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(throttled.Seconds()))
	}
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
