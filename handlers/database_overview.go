package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

// databaseOverview shows what the database is, how the viewer connects to it, and its usage.
func (s *Server) databaseOverview(c echo.Context) error {
	ctx, user := c.Request().Context(), currentUser(c)
	m, err := s.membership(c)
	if err != nil {
		return err
	}
	creds, err := s.Service.Credentials(ctx, user.ID, m.Database().ID)
	return s.renderOverview(c, m, creds, err)
}

// renderOverview shows the Overview of m with the viewer's credentials, or why there
// are none (credsErr).
func (s *Server) renderOverview(c echo.Context, m service.Membership, creds service.Credentials, credsErr error) error {
	connect, err := s.connectView(c, m, creds, credsErr)
	if err != nil {
		return err
	}
	db := m.Database()
	p, err := s.page(c, db.Name)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OverviewPage(p, db, connect))
}

func (s *Server) databaseSettings(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, views.Form{})
}

// renderSettings shows Settings → General, with the Delete database form's input and
// errors.
func (s *Server) renderSettings(c echo.Context, status int, deleteForm views.Form) error {
	db, err := s.Service.Database(c.Request().Context(), currentUser(c).ID, c.Param("db"))
	if err != nil {
		return err
	}
	p, err := s.page(c, "Settings · "+db.Name)
	if err != nil {
		return err
	}
	return render(c, status, views.GeneralPage(p, db, deleteForm))
}
