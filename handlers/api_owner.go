package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type apiTransferRequest struct {
	Email string `json:"email"`
}

// apiOwnerTransfer makes an accepted collaborator the owner: the dashboard's Make owner.
func (s *Server) apiOwnerTransfer(c echo.Context) error {
	var in apiTransferRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	db, err := s.Service.TransferOwnership(c.Request().Context(), apiUser(c).ID, c.Param("db"), in.Email)
	if err != nil {
		return databaseNotFound(c, err)
	}
	return c.JSON(http.StatusOK, map[string]apiDatabase{"database": toAPIDatabase(db)})
}
