package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/views"
)

// openSignupConfirmation is where the confirmation e-mail's link leads. Like an
// invitation link, it keeps the token in the (encrypted) session and moves on, so that
// the token leaves the address bar and never appears in a page or a log line. Opening
// the link confirms nothing.
func (s *Server) openSignupConfirmation(c echo.Context) error {
	s.keepToken(c, sessionConfirmation)
	if err := s.saveSession(c, s.session(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/signup/confirm")
}

// maxTokenLength is longer than any token we make: a longer one is not kept.
const maxTokenLength = 64

func (s *Server) showSignupConfirmation(c echo.Context) error {
	token, _ := s.session(c).Values[sessionConfirmation].(string)
	user, err := s.Service.SignupConfirmation(c.Request().Context(), token)
	if e, ok := service.AsError(err); ok {
		return s.renderSignupConfirmation(c, statusOf(e), nil, e.Message)
	}
	if err != nil {
		return err
	}
	return s.renderSignupConfirmation(c, http.StatusOK, &user, "")
}

func (s *Server) confirmSignup(c echo.Context) error {
	sess := s.session(c)
	token, _ := sess.Values[sessionConfirmation].(string)
	_, err := s.Service.ConfirmSignup(c.Request().Context(), token)
	if e, ok := service.AsError(err); ok {
		return s.renderSignupConfirmation(c, statusOf(e), nil, e.Message)
	}
	if err != nil {
		return err
	}
	delete(sess.Values, sessionConfirmation)
	sess.AddFlash("Your e-mail address is confirmed; log in.")
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) renderSignupConfirmation(c echo.Context, status int, user *store.User, message string) error {
	p, err := s.page(c, "Confirm your e-mail address")
	if err != nil {
		return err
	}
	return render(c, status, views.ConfirmSignupPage(p, user, message))
}
