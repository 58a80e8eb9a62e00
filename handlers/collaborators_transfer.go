package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/views"
)

// collaboratorsTransferConfirm is the confirmation page of "Make owner" that stands for
// the popup when JavaScript is off.
func (s *Server) collaboratorsTransferConfirm(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	db, m, err := s.Service.TransferCandidate(c.Request().Context(), currentUser(c).ID, c.Param("db"), id)
	if e, ok := service.AsError(err); ok && e.Kind == service.Invalid {
		return s.refuseTransfer(c, db, e)
	}
	if err != nil {
		return err
	}
	p, err := s.page(c, "Transfer ownership · "+db.Name)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.TransferPage(p, db, m))
}

func (s *Server) collaboratorsTransfer(c echo.Context) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	ctx, userID := c.Request().Context(), currentUser(c).ID
	// The row names the address; the transfer checks it again in its transaction.
	db, m, err := s.Service.TransferCandidate(ctx, userID, c.Param("db"), id)
	if err == nil {
		_, err = s.Service.TransferOwnership(ctx, userID, c.Param("db"), m.Email)
	}
	if e, ok := service.AsError(err); ok && e.Kind == service.Invalid {
		return s.refuseTransfer(c, db, e)
	}
	if err != nil {
		return err
	}
	s.flash(c, m.Email+" is now the owner of "+db.Name)
	return c.Redirect(http.StatusSeeOther, links.Collaborators(db.Name))
}

// refuseTransfer goes back to the Collaborators tab of db, by its name, saying why.
func (s *Server) refuseTransfer(c echo.Context, db store.Database, e *service.Error) error {
	s.flashError(c, e.Message)
	return c.Redirect(http.StatusSeeOther, links.Collaborators(db.Name))
}
