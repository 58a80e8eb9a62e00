package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

// openInvitation is where the e-mail's link leads. It keeps the token in the (encrypted)
// session and moves on to /invitation, so that the token leaves the address bar and
// never appears in a page, a log line or a Referer. Opening the link accepts nothing.
func (s *Server) openInvitation(c echo.Context) error {
	sess := s.session(c)
	token := c.Param("token")
	if _, ok := service.ParseInvitationToken(token); ok {
		sess.Values[sessionInvitation] = token
	} else {
		// Not a link we could have sent: /invitation says so. Kept, an overlong one
		// would not even fit in the cookie.
		delete(sess.Values, sessionInvitation)
	}
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.Invitation)
}

func (s *Server) showInvitation(c echo.Context) error {
	return s.renderInvitation(c, http.StatusOK, "")
}

func (s *Server) renderInvitation(c echo.Context, status int, failure string) error {
	token, _ := s.session(c).Values[sessionInvitation].(string)
	inv, err := s.Service.Invitation(c.Request().Context(), token)
	if err != nil {
		return err
	}
	v := views.InvitationView{Invitation: inv, Error: failure}
	if u := currentUser(c); u != nil && inv.State == service.InvitationOpen && u.Email != inv.Collaborator.Email {
		v.WrongAccount = service.WrongAccountMessage(inv.Collaborator.Email, u.Email)
	}
	if inv.State != service.InvitationOpen && status == http.StatusOK {
		status = http.StatusGone
		if inv.State == service.InvitationUnknown {
			status = http.StatusNotFound
		}
	}
	p, err := s.page(c, "Invitation")
	if err != nil {
		return err
	}
	return render(c, status, views.InvitationPage(p, v))
}

func (s *Server) acceptInvitation(c echo.Context) error {
	sess := s.session(c)
	token, _ := sess.Values[sessionInvitation].(string)
	db, err := s.Service.AcceptInvitation(c.Request().Context(), currentUser(c).ID, token)
	if e, ok := service.AsError(err); ok {
		return s.renderInvitation(c, statusOf(e), e.Message)
	}
	if err != nil {
		return err
	}
	delete(sess.Values, sessionInvitation)
	s.flash(c, "You now collaborate on "+db.Name)
	return c.Redirect(http.StatusSeeOther, links.Database(db.Name))
}
