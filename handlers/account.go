package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/views"
)

// sessionNewAPIToken carries a token just created, in the encrypted session, from the
// POST to the page that shows it once.
const sessionNewAPIToken = "new_api_token"

func (s *Server) account(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, views.AccountView{})
}

// renderAccount shows the account page with its devices and API tokens, the forms of v
// with what was typed, and the token just created if there is one, which it forgets at once.
func (s *Server) renderAccount(c echo.Context, status int, v views.AccountView) error {
	ctx := c.Request().Context()
	tokens, err := s.Service.APITokens(ctx, currentUser(c).ID)
	if err != nil {
		return err
	}
	sessions, err := s.Service.Sessions(ctx, currentUser(c).ID)
	if err != nil {
		return err
	}
	v.Tokens, v.Sessions, v.CurrentSession = tokens, sessions, currentSession(c).ID
	sess := s.session(c)
	if token, ok := sess.Values[sessionNewAPIToken].(string); ok {
		v.NewToken = token
		delete(sess.Values, sessionNewAPIToken)
		if err := s.saveSession(c, sess); err != nil {
			return err
		}
	}
	p, err := s.page(c, "Account")
	if err != nil {
		return err
	}
	return render(c, status, views.AccountPage(p, v))
}
