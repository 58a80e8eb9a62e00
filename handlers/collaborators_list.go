package handlers

import (
	"strconv"

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
	member, err := s.Service.Membership(c.Request().Context(), currentUser(c).ID, c.Param("db"))
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
	access, err := s.accessView(c, member, sessions)
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
	return render(c, status, collaboratorsPage(p, tab, addForm, page, access))
}

// activityPage is the page of Activity the query asks for, from 1.
func activityPage(c echo.Context) int {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		return 1
	}
	return page
}

func collaboratorsTitle(tab service.CollaboratorsTab) string {
	return "Collaborators · " + tab.Database.Name
}

func collaboratorsPage(p views.Page, tab service.CollaboratorsTab, addForm views.AddForm, page int, access views.AccessView) templ.Component {
	v := views.CollaboratorsView{Database: tab.Database, Rows: tab.Rows, AddForm: addForm, Events: tab.Events,
		EventsPage: page, MoreEvents: tab.MoreEvents, Access: access}
	return views.CollaboratorsPage(p, v)
}
