package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/store"
)

// scalingoCollaborator is a row as go-scalingo reads it: every ID a string, and the
// owner, shown from the app, not among them.
type scalingoCollaborator struct {
	ID        string `json:"id"`
	AppID     string `json:"app_id"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	Status    string `json:"status"`
	UserID    string `json:"user_id"`
	IsLimited bool   `json:"is_limited"`
}

func toScalingoCollaborator(db store.Database, m store.Collaborator) scalingoCollaborator {
	out := scalingoCollaborator{ID: strconv.FormatInt(m.ID, 10), AppID: db.ID, Username: "n/a", Email: m.Email, Status: m.Status}
	// An invitation has no account until it is accepted.
	if m.UserID != 0 {
		out.Username, out.UserID = m.Username, strconv.FormatInt(m.UserID, 10)
	}
	return out
}

// scalingoCollaboratorsList lists the collaborators and pending invitations, in
// invitation order, without the owner.
func (s *Server) scalingoCollaboratorsList(c echo.Context) error {
	db, rows, err := s.Service.Collaborators(c.Request().Context(), apiUser(c).ID, c.Param("db"))
	if err != nil {
		return databaseNotFound(c, err)
	}
	out := make([]scalingoCollaborator, 0, len(rows))
	for _, m := range rows {
		if m.Status != store.StatusOwner {
			out = append(out, toScalingoCollaborator(db, m))
		}
	}
	return c.JSON(http.StatusOK, map[string][]scalingoCollaborator{"collaborators": out})
}

type scalingoInviteRequest struct {
	Collaborator struct {
		Email     string `json:"email"`
		IsLimited bool   `json:"is_limited"`
	} `json:"collaborator"`
}

// scalingoCollaboratorsAdd invites an address, as POST /v1/databases/{db}/collaborators
// does. dbcollab has no limited collaborators: asking for one is refused rather than
// granted full access.
func (s *Server) scalingoCollaboratorsAdd(c echo.Context) error {
	ctx, user := c.Request().Context(), apiUser(c)
	var in scalingoInviteRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Collaborator.IsLimited {
		if _, err := s.Service.Database(ctx, user.ID, c.Param("db")); err != nil {
			return databaseNotFound(c, err)
		}
		return &apiError{status: http.StatusUnprocessableEntity, message: "dbcollab has no limited collaborators",
			fields: map[string][]string{"is_limited": {"is not supported"}}}
	}
	db, invite, err := s.Service.Invite(ctx, user.ID, c.Param("db"), in.Collaborator.Email)
	if err != nil {
		return scalingoRefusal(databaseNotFound(c, err))
	}
	return c.JSON(http.StatusCreated, map[string]scalingoCollaborator{"collaborator": toScalingoCollaborator(db, invite)})
}

// scalingoCollaboratorsRemove is DELETE /v1/databases/{db}/collaborators/{id}: it
// revokes, cancels an invitation, or on one's own row stops collaborating.
func (s *Server) scalingoCollaboratorsRemove(c echo.Context) error {
	return scalingoRefusal(s.apiCollaboratorsRemove(c))
}

// scalingoRefusal words a rule's refusal as go-scalingo reads one: a 422 whose "errors"
// it prints field by field (it has no words for a 409, and prints nothing of a 422
// without "errors"). Anything else goes on as it is.
func scalingoRefusal(err error) error {
	if err == nil {
		return nil
	}
	e := toAPIError(err)
	if e.status != http.StatusConflict && e.status != http.StatusUnprocessableEntity {
		return err
	}
	out := &apiError{status: http.StatusUnprocessableEntity, message: e.message, fields: e.fields}
	if len(out.fields) == 0 {
		out.fields = map[string][]string{"base": {e.message}}
	}
	return out
}
