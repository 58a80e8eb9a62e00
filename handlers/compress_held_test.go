package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// An answer that fails after it was written is not sent: the error page is, whole.
func TestCompressSendsTheErrorPageNotAHalfAnswer(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if !c.Response().Committed {
			c.String(http.StatusInternalServerError, "failed: "+err.Error())
		}
	}
	page := strings.Repeat("<p>row</p>", 500)
	e.GET("/panics", func(c echo.Context) error {
		c.HTML(http.StatusOK, page)
		panic("in the middle")
	}, compress)
	e.GET("/fails", func(c echo.Context) error {
		c.HTML(http.StatusOK, page)
		return errors.New("after writing")
	}, compress)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = errors.New("panic")
				}
			}()
			return next(c)
		}
	})
	for _, path := range []string{"/panics", "/fails"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError || !strings.HasPrefix(rec.Body.String(), "failed: ") ||
			rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET %s: %d, Content-Encoding %q, body %.40q; want the 500 page alone",
				path, rec.Code, rec.Header().Get("Content-Encoding"), rec.Body.String())
		}
	}
}
