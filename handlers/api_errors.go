package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"dbcollab/service"
)

// apiError is a refusal the JSON API answers with its status and
// {"error": message, "errors": {field: [messages]}}.
type apiError struct {
	status  int
	message string
	fields  map[string][]string
}

func (e *apiError) Error() string { return e.message }

type apiErrorBody struct {
	Error  string              `json:"error"`
	Errors map[string][]string `json:"errors,omitempty"`
}

// isAPIRequest reports whether the request is for the JSON API, judged on the path the
// router matches, so that it agrees with the route table.
func isAPIRequest(c echo.Context) bool {
	p := echo.GetPath(c.Request())
	return p == "/v1" || strings.HasPrefix(p, "/v1/")
}

// dashboardOnly runs m for every request but the JSON API's. The API authenticates with
// its bearer tokens alone, never the session cookie, so it needs neither the cookie's
// user nor protection against cross-site forms.
func dashboardOnly(m echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		withM := m(next)
		return func(c echo.Context) error {
			if isAPIRequest(c) {
				return next(c)
			}
			return withM(c)
		}
	}
}

// handleErrors answers the JSON API's errors in JSON and the dashboard's with a page.
func (s *Server) handleErrors(err error, c echo.Context) {
	if isAPIRequest(c) {
		s.handleAPIError(err, c)
		return
	}
	s.handleError(err, c)
}

func (s *Server) handleAPIError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := toAPIError(err)
	if e.status >= http.StatusInternalServerError {
		s.Log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "err", err)
	}
	if writeErr := c.JSON(e.status, apiErrorBody{Error: e.message, Errors: e.fields}); writeErr != nil {
		s.Log.Error("write api error", "err", writeErr)
	}
}

// fieldMessage is what the API's "errors" object says of a field: "is invalid" for a
// value that breaks a rule, as API clients expect; the rule's own words for a clash
// with what is stored, which only they can explain. "error" always has the sentence.
func fieldMessage(e *service.Error) string {
	if e.Kind == service.Invalid {
		return "is invalid"
	}
	return e.Message
}

// toAPIError words any error for the API: a rule's refusal keeps its message and
// fields, anything unexpected becomes a 500 that says nothing of its cause.
func toAPIError(err error) *apiError {
	var ae *apiError
	var fe service.FieldErrors
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &fe) && len(fe) > 0:
		out := &apiError{status: statusOf(fe[0]), message: fe[0].Message, fields: map[string][]string{}}
		for _, e := range fe {
			out.fields[e.Field] = append(out.fields[e.Field], fieldMessage(e))
		}
		return out
	}
	if e, ok := service.AsError(err); ok {
		out := &apiError{status: statusOf(e), message: e.Message}
		if e.Field != "" {
			out.fields = map[string][]string{e.Field: {fieldMessage(e)}}
		}
		return out
	}
	if errors.As(err, &he) && he.Code < http.StatusInternalServerError {
		if he.Code == http.StatusNotFound {
			return &apiError{status: he.Code, message: "No such API endpoint"}
		}
		return &apiError{status: he.Code, message: http.StatusText(he.Code)}
	}
	return &apiError{status: http.StatusInternalServerError, message: "The server could not answer. Try again in a moment."}
}
