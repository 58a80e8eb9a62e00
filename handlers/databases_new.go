package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

func (s *Server) databaseNewForm(c echo.Context) error {
	p, err := s.page(c, "New database")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.NewDatabasePage(p, views.Form{}))
}

func (s *Server) databaseCreate(c echo.Context) error {
	in := service.NewDatabaseInput{Name: c.FormValue("name"), Plan: c.FormValue("plan")}
	db, err := s.Service.CreateDatabase(c.Request().Context(), currentUser(c).ID, in)
	if fields := service.ByField(err); len(fields) > 0 {
		p, perr := s.page(c, "New database")
		if perr != nil {
			return perr
		}
		f := views.Form{Values: map[string]string{"name": in.Name, "plan": in.Plan}, Errors: fields}
		return render(c, http.StatusUnprocessableEntity, views.NewDatabasePage(p, f))
	}
	if err != nil {
		return err
	}
	s.flash(c, db.Name+" has been created. You are its owner.")
	return c.Redirect(http.StatusSeeOther, links.Database(db.Name))
}
