package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

func (s *Server) accountTokenCreate(c echo.Context) error {
	name, expiry := c.FormValue("name"), c.FormValue("expires_in_days")
	var token string
	lifetime, err := service.ParseAPITokenLifetime(expiry)
	if err == nil { // the select offers valid lifetimes only: a wrong one was made up
		token, _, err = s.Service.CreateExpiringAPIToken(c.Request().Context(), currentUser(c).ID, name, lifetime)
	}
	if fields := service.ByField(err); len(fields) > 0 {
		typed := map[string]string{"name": name, "expires_in_days": expiry}
		return s.renderAccount(c, http.StatusUnprocessableEntity, views.AccountView{Form: views.Form{Values: typed, Errors: fields}})
	}
	if err != nil {
		return err
	}
	sess := s.session(c)
	sess.Values[sessionNewAPIToken] = token
	s.saveAfterWrite(c, sess)
	return c.Redirect(http.StatusSeeOther, links.Account)
}

func (s *Server) accountTokenRevoke(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	t, err := s.Service.RevokeAPIToken(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	s.flash(c, "The API token “"+t.Name+"” has been revoked: it no longer works.")
	return c.Redirect(http.StatusSeeOther, links.Account)
}
