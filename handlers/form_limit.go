package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// maxFormBody bounds a dashboard request's body, as maxAPIBody does the API's: every
// form is a few short fields.
const maxFormBody = 64 << 10

var errFormTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge, "form over 64 KB")

// limitForms refuses a body over maxFormBody with a 413. It parses the form first, before
// the CSRF check or a handler reads it, since their FormValue would take a cut-off form
// for a short one.
func limitForms(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isSafeMethod(r.Method) {
			return next(c) // nothing reads their body
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBody)
		// ParseMultipartForm would return ErrNotMultipart rather than ParseForm's error.
		err := r.ParseForm()
		if err == nil {
			err = r.ParseMultipartForm(maxFormBody)
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errFormTooLarge
		}
		return next(c)
	}
}
