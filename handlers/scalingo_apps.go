package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
)

// To the official client a dedicated database is an app holding one PostgreSQL addon:
// the database itself, named by its name or its ID in either role.

type scalingoOwner struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

type scalingoApp struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Owner     scalingoOwner `json:"owner"`
	CreatedAt string        `json:"created_at"`
}

// scalingoApp shows a database as an app: its owner is the first row of the
// collaborators table the client prints.
func (s *Server) scalingoApp(c echo.Context) error {
	db, err := s.Service.Database(c.Request().Context(), apiUser(c).ID, c.Param("db"))
	if err != nil {
		return databaseNotFound(c, err)
	}
	return c.JSON(http.StatusOK, map[string]scalingoApp{"app": {
		ID: db.ID, Name: db.Name, CreatedAt: apiTime(db.CreatedAt),
		Owner: scalingoOwner{ID: strconv.FormatInt(db.Owner.ID, 10), Username: db.Owner.Username, Email: db.Owner.Email},
	}})
}

type scalingoAddon struct {
	ID            string                `json:"id"`
	AppID         string                `json:"app_id"`
	ResourceID    string                `json:"resource_id"`
	Status        string                `json:"status"`
	Plan          scalingoPlan          `json:"plan"`
	AddonProvider scalingoAddonProvider `json:"addon_provider"`
}

type scalingoPlan struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

type scalingoAddonProvider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// scalingoAddons lists the database as the one addon of its app: the client looks it
// up before every collaborators command.
func (s *Server) scalingoAddons(c echo.Context) error {
	db, err := s.Service.Database(c.Request().Context(), apiUser(c).ID, c.Param("db"))
	if err != nil {
		return databaseNotFound(c, err)
	}
	return c.JSON(http.StatusOK, map[string][]scalingoAddon{"addons": {toScalingoAddon(db)}})
}

func toScalingoAddon(db store.Database) scalingoAddon {
	return scalingoAddon{
		ID: db.ID, AppID: db.ID, ResourceID: db.Name, Status: "running",
		Plan:          scalingoPlan{ID: db.Plan, Name: db.Plan, DisplayName: service.PlanLabel(db.Plan)},
		AddonProvider: scalingoAddonProvider{ID: "postgresql", Name: "PostgreSQL"},
	}
}
