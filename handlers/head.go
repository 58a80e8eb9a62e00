package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// headAsGet answers HEAD like GET, without the body: health checkers and link previewers
// ask with HEAD, and the route table lists GET only. Echo routes by the request's own
// method, so it is GET while the request is served and HEAD again before the server
// finishes the answer.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		r.Method = http.MethodGet
		defer func() { r.Method = http.MethodHead }()
		res := c.Response()
		res.Writer = bodyless{res.Writer}
		return next(c)
	}
}

// bodyless is an answer's writer that keeps its status and headers and drops its body.
type bodyless struct{ http.ResponseWriter }

func (bodyless) Write(p []byte) (int, error) { return len(p), nil }
