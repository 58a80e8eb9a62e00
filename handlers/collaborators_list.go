package handlers

import (
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

// collaboratorsList shows the Collaborators tab, from collaboratorsCache when it can.
func (s *Server) collaboratorsList(c echo.Context) error {
	return s.cachedCollaborators(c)
}

// renderCollaborators shows the Collaborators tab, with the Add form as given, the
// notice (if any) in place of the flash and the page of Activity the query asks for.
func (s *Server) renderCollaborators(c echo.Context, status int, addForm views.AddForm, notice string) error {
	page := activityPage(c)
	member, err := s.membership(c)
	if err != nil {
		return err
	}
	tab, err := s.Service.CollaboratorsTabOf(c.Request().Context(), member, page)
	if err != nil {
		return err
	}
	sessions, err := s.liveSessions(c, member)
	if err != nil {
		return err
	}
	access, err := s.accessView(c, member, sessions, tab.Rows)
	if err != nil {
		return err
	}
	p, err := s.page(c, collaboratorsTitle(tab))
	if err != nil {
		return err
	}
	if notice != "" {
		p.Flash, p.FlashIsError = notice, false
	}
	return render(c, status, collaboratorsPage(p, tab, addForm, views.Form{}, page, s.Service.Time(), access))
}

// activityPage is the page of Activity the query asks for, from 1.
func activityPage(c echo.Context) int {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		return 1
	}
	return page
}

// rowQuery is the search, status filter and page of rows the query asks for (q, status,
// p). A page or status that is not one (from a URL typed by hand) stands for the first
// page or every status; a search that cannot be one is shown with its error in filter,
// and the rows are then not searched.
func rowQuery(c echo.Context) (q service.RowQuery, filter views.Form) {
	raw := c.QueryParam("q")
	q, err := service.ParseRowQuery(raw, c.QueryParam("status"), c.QueryParam("p"), "", service.RowsPerPage)
	filter = views.Form{Values: map[string]string{"q": raw}}
	if msg := service.ByField(err)["q"]; msg != "" {
		filter.Errors = map[string]string{"q": msg}
	}
	return q, filter
}

func collaboratorsTitle(tab service.CollaboratorsTab) string {
	return "Collaborators · " + tab.Database.Name
}

func collaboratorsPage(p views.Page, tab service.CollaboratorsTab, addForm views.AddForm, filter views.Form, page int, now time.Time, access views.AccessView) templ.Component {
	v := views.CollaboratorsView{Database: tab.Database, Rows: tab.Rows, Query: tab.Query, Total: tab.Total, Now: now,
		Filter: filter, AddForm: addForm, Events: tab.Events, EventsPage: page, MoreEvents: tab.MoreEvents, Access: access}
	return views.CollaboratorsPage(p, v)
}
