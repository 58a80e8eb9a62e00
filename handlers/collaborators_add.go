package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

// collaboratorsAdd invites the address, or the several addresses, typed in the Add form.
func (s *Server) collaboratorsAdd(c echo.Context) error {
	typed := c.FormValue("email")
	addresses, err := service.SplitAddresses(typed)
	if e, ok := service.AsError(err); ok {
		// Nothing is invited; a user who may not see the database gets 404 from the tab.
		f := views.Form{Values: map[string]string{"email": typed}, Errors: map[string]string{e.Field: e.Message}}
		return s.renderCollaborators(c, statusOf(e), views.AddForm{Form: f}, "")
	}
	if len(addresses) > 1 {
		return s.inviteSeveral(c, addresses)
	}
	db, invite, err := s.Service.Invite(c.Request().Context(), currentUser(c).ID, c.Param("db"), typed)
	if e, ok := service.AsError(err); ok && e.Field != "" {
		f := views.Form{Values: map[string]string{"email": typed}, Errors: map[string]string{e.Field: e.Message}}
		return s.renderCollaborators(c, statusOf(e), views.AddForm{Form: f}, "")
	}
	if err != nil {
		return err
	}
	s.flash(c, invitedMessage([]string{invite.Email}, db.Name))
	return c.Redirect(http.StatusSeeOther, links.Collaborators(db.Name))
}

// inviteSeveral invites each address on its own, in its own transaction, so that one
// refused address does not hold back the others; the refused ones stay in the field.
func (s *Server) inviteSeveral(c echo.Context, addresses []string) error {
	var invited []string
	var refused []views.Refusal
	var dbName string
	status := http.StatusOK
	for _, address := range addresses {
		db, invite, err := s.Service.Invite(c.Request().Context(), currentUser(c).ID, c.Param("db"), address)
		if e, ok := service.AsError(err); ok && e.Field != "" {
			if len(refused) == 0 {
				status = statusOf(e)
			}
			refused = append(refused, views.Refusal{Address: address, Reason: e.Message})
			continue
		}
		if err != nil {
			return err
		}
		invited, dbName = append(invited, invite.Email), db.Name
	}
	if len(refused) == 0 {
		s.flash(c, invitedMessage(invited, dbName))
		return c.Redirect(http.StatusSeeOther, links.Collaborators(dbName))
	}
	notice := ""
	if len(invited) > 0 {
		status, notice = http.StatusOK, invitedMessage(invited, dbName)
	}
	kept := make([]string, len(refused))
	for i, r := range refused {
		kept[i] = r.Address
	}
	f := views.Form{Values: map[string]string{"email": strings.Join(kept, "\n")},
		Errors: map[string]string{"email": fmt.Sprintf("%d of %d addresses were not invited:", len(refused), len(addresses))}}
	return s.renderCollaborators(c, status, views.AddForm{Form: f, Refused: refused}, notice)
}

// invitedMessage says who was invited; for one address, the words of the spec.
func invitedMessage(emails []string, db string) string {
	if len(emails) == 1 {
		return emails[0] + " has been invited to collaborate to " + db
	}
	return strings.Join(emails[:len(emails)-1], ", ") + " and " + emails[len(emails)-1] + " have been invited to collaborate to " + db
}

// statusOf is the HTTP status that answers a rule's refusal.
func statusOf(e *service.Error) int {
	switch e.Kind {
	case service.NotFound:
		return http.StatusNotFound
	case service.Conflict:
		return http.StatusConflict
	case service.Unauthorized:
		return http.StatusUnauthorized
	case service.TooMany:
		return http.StatusTooManyRequests
	default:
		return http.StatusUnprocessableEntity
	}
}
