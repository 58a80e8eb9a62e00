package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dbcollab/store"
)

type apiEvent struct {
	Type string `json:"type"`
	// Actor is the username of who did it, or the address of a deleted account; null for
	// what nobody did (an expiry).
	Actor  *string `json:"actor"`
	Target string  `json:"target"`
	At     string  `json:"at"`
}

func toAPIEvent(e store.Event) apiEvent {
	out := apiEvent{Type: e.Type, Target: e.Target, At: apiTime(e.At)}
	if e.ActorName != "" {
		out.Actor = &e.ActorName
	}
	return out
}

// apiEventsList answers one page (?page=N, from 1) of a database's membership events,
// newest first, service.EventsPerPage at a time; past the last page the list is empty.
func (s *Server) apiEventsList(c echo.Context) error {
	page := 1
	if raw := c.QueryParam("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return &apiError{status: http.StatusBadRequest, message: "page must be a whole number from 1"}
		}
		page = n
	}
	_, events, _, err := s.Service.Events(c.Request().Context(), apiUser(c).ID, c.Param("db"), page)
	if err != nil {
		return databaseNotFound(c, err)
	}
	out := make([]apiEvent, 0, len(events))
	for _, e := range events {
		out = append(out, toAPIEvent(e))
	}
	return c.JSON(http.StatusOK, map[string][]apiEvent{"events": out})
}
