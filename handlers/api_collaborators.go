package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
)

type apiCollaborator struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	// Username is null while the invitation is pending.
	Username  *string `json:"username"`
	Status    string  `json:"status"`
	Role      string  `json:"role"`
	InvitedAt string  `json:"invited_at"`
	// AcceptedAt is null until the invitation is accepted.
	AcceptedAt *string `json:"accepted_at"`
	// Access is the member's PostgreSQL access: "none" for an invitation, and for
	// everyone without a PostgreSQL server.
	Access service.AccessState `json:"access"`
}

func toAPICollaborator(m store.Collaborator) apiCollaborator {
	out := apiCollaborator{
		ID: m.ID, Email: m.Email, Status: m.Status, Role: m.Role(),
		InvitedAt: apiTime(m.InvitedAt), AcceptedAt: apiOptionalTime(m.AcceptedAt),
		Access: service.AccessNone,
	}
	// An invitation has no account until it is accepted: pending (or expired) rows have
	// no username.
	if m.UserID != 0 {
		out.Username = &m.Username
	}
	return out
}

// apiCollaboratorsList lists a database's owner, then its collaborators and pending
// invitations in invitation order, with their total: all of them, or those that the
// optional q, status, page and per_page choose (a page without per_page has 50 rows).
func (s *Server) apiCollaboratorsList(c echo.Context) error {
	ctx, user := c.Request().Context(), apiUser(c)
	member, err := s.Service.Membership(ctx, user.ID, c.Param("db"))
	if err != nil {
		return databaseNotFound(c, err)
	}
	perPage := 0
	if c.QueryParam("page") != "" {
		perPage = service.RowsPerPage
	}
	q, err := service.ParseRowQuery(c.QueryParam("q"), c.QueryParam("status"), c.QueryParam("page"), c.QueryParam("per_page"), perPage)
	if err != nil {
		return err
	}
	_, rows, total, err := s.Service.CollaboratorsPage(ctx, user.ID, member.Database().ID, q)
	if err != nil {
		return databaseNotFound(c, err)
	}
	states, _, err := s.accessStates(c, member, rows)
	if err != nil {
		return err
	}
	out := apiCollaboratorList{Collaborators: make([]apiCollaborator, 0, len(rows)), Total: total}
	for _, m := range rows {
		row := toAPICollaborator(m)
		if a, ok := states[m.UserID]; ok && m.UserID != 0 {
			row.Access = a.State
		}
		out.Collaborators = append(out.Collaborators, row)
	}
	return c.JSON(http.StatusOK, out)
}

// apiCollaboratorList is a list of rows and how many the query chooses on all pages.
type apiCollaboratorList struct {
	Collaborators []apiCollaborator `json:"collaborators"`
	Total         int               `json:"total"`
}

type apiInviteRequest struct {
	Collaborator struct {
		Email string `json:"email"`
	} `json:"collaborator"`
}

// apiCollaboratorsAdd invites an address; the invitation e-mail is queued with it.
func (s *Server) apiCollaboratorsAdd(c echo.Context) error {
	var in apiInviteRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	_, invite, err := s.Service.Invite(c.Request().Context(), apiUser(c).ID, c.Param("db"), in.Collaborator.Email)
	if err != nil {
		return databaseNotFound(c, err)
	}
	return c.JSON(http.StatusCreated, map[string]apiCollaborator{"collaborator": toAPICollaborator(invite)})
}

// apiCollaboratorsRemove revokes a collaborator, cancels an invitation or, on one's own
// row, stops collaborating: the dashboard's Revoke access.
func (s *Server) apiCollaboratorsRemove(c echo.Context) error {
	ctx, user := c.Request().Context(), apiUser(c)
	id, err := s.apiRowID(c)
	if err != nil {
		return err
	}
	_, err = s.Service.Revoke(ctx, user.ID, c.Param("db"), id)
	if errors.Is(err, service.ErrNotFound) {
		return collaboratorNotFound(c)
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiCollaboratorsResend e-mails a fresh link for a pending or expired invitation: the
// dashboard's Resend invitation.
func (s *Server) apiCollaboratorsResend(c echo.Context) error {
	ctx, user := c.Request().Context(), apiUser(c)
	id, err := s.apiRowID(c)
	if err != nil {
		return err
	}
	_, m, err := s.Service.Resend(ctx, user.ID, c.Param("db"), id)
	if errors.Is(err, service.ErrNotFound) {
		return collaboratorNotFound(c)
	}
	// The limit is about the database, not about a field of this body-less request.
	if e, ok := service.AsError(err); ok && e.Kind == service.TooMany {
		return &apiError{status: http.StatusTooManyRequests, message: e.Message}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]apiCollaborator{"collaborator": toAPICollaborator(m)})
}

// apiRowID reads the collaborator row of a /collaborators/{id} path. The database is
// looked up first only to tell an unknown database from an unknown row in the answer;
// the rule that follows checks membership again in its transaction.
func (s *Server) apiRowID(c echo.Context) (int64, error) {
	if _, err := s.Service.Database(c.Request().Context(), apiUser(c).ID, c.Param("db")); err != nil {
		return 0, databaseNotFound(c, err)
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, collaboratorNotFound(c)
	}
	return id, nil
}

func collaboratorNotFound(c echo.Context) error {
	return &apiError{status: http.StatusNotFound,
		message: fmt.Sprintf("Collaborator %s not found on %s", c.Param("id"), c.Param("db"))}
}
