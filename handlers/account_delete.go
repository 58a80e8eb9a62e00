package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/views"
)

// accountDelete deletes the signed-in account, given its password and its address typed
// again, and signs this browser out.
func (s *Server) accountDelete(c echo.Context) error {
	typed := c.FormValue("delete_confirm_email")
	err := s.Service.DeleteAccount(c.Request().Context(), currentUser(c).ID,
		service.AccountDeletion{Password: c.FormValue("delete_password"), Email: typed})
	if e, ok := service.AsError(err); ok {
		// The password is never sent back.
		form := views.Form{Values: map[string]string{"delete_confirm_email": typed}, Errors: service.ByField(err)}
		return s.renderAccount(c, statusOf(e), views.AccountView{DeleteForm: form})
	}
	if err != nil {
		return err
	}
	sess := s.session(c)
	sess.Values = map[any]any{}
	s.flash(c, "Your account has been deleted")
	return c.Redirect(http.StatusSeeOther, links.Login)
}
