package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/views"
)

// sessionEmailChange is the token of the e-mail change link being confirmed.
const sessionEmailChange = "email_change"

// openEmailConfirmation is where the link e-mailed to a new address leads: it keeps the
// token in the session and moves on, as a password reset link does. Opening it changes
// nothing; following it needs no sign-in, since the link proves the mailbox.
func (s *Server) openEmailConfirmation(c echo.Context) error {
	s.keepToken(c, sessionEmailChange)
	if err := s.saveSession(c, s.session(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.EmailConfirmation)
}

func (s *Server) showEmailConfirmation(c echo.Context) error {
	token, _ := s.session(c).Values[sessionEmailChange].(string)
	change, user, err := s.Service.EmailChange(c.Request().Context(), token)
	if e, ok := service.AsError(err); ok {
		return s.renderEmailConfirmation(c, statusOf(e), nil, nil, e.Message)
	}
	if err != nil {
		return err
	}
	return s.renderEmailConfirmation(c, http.StatusOK, &change, &user, "")
}

func (s *Server) confirmEmailChange(c echo.Context) error {
	sess := s.session(c)
	token, _ := sess.Values[sessionEmailChange].(string)
	user, err := s.Service.ConfirmEmailChange(c.Request().Context(), token)
	if e, ok := service.AsError(err); ok {
		return s.renderEmailConfirmation(c, statusOf(e), nil, nil, e.Message)
	}
	if err != nil {
		return err
	}
	delete(sess.Values, sessionEmailChange)
	s.flash(c, "Your e-mail address is now "+user.Email+".")
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, links.Account)
	}
	return c.Redirect(http.StatusSeeOther, links.Login)
}

func (s *Server) renderEmailConfirmation(c echo.Context, status int, change *store.EmailChange, user *store.User, message string) error {
	p, err := s.page(c, "Confirm your new e-mail address")
	if err != nil {
		return err
	}
	return render(c, status, views.ConfirmEmailChangePage(p, change, user, message))
}
