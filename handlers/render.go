package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/views"
)

// render renders a component into memory first, so that a template error becomes a
// clean 500 rather than half a page.
func render(c echo.Context, status int, component templ.Component) error {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := component.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// pageBuffers keeps the buffers pages are rendered into, so that a page of a hundred
// rows (over 100 KB) is not grown again by copying on every view.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage is the largest buffer kept: an exceptional page should not pin its
// memory for good.
const maxPooledPage = 2 << 20

func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledPage {
		buf.Reset()
		pageBuffers.Put(buf)
	}
}

// page returns the layout's data for this request, taking the flash message.
func (s *Server) page(c echo.Context, title string) (views.Page, error) {
	flash, err := s.takeFlash(c)
	if err != nil {
		return views.Page{}, err
	}
	return pageWithFlash(c, title, flash), nil
}

// pageWithFlash is page with the flash message already taken.
func pageWithFlash(c echo.Context, title string, flash flashMessage) views.Page {
	token, _ := c.Get(csrfKey).(string)
	return views.Page{Title: title, User: currentUser(c), CSRF: token, Flash: flash.text, FlashIsError: flash.isError}
}

// handleError turns any error into a page: rule errors into their status, the rest into
// a logged 500 that says nothing of the cause.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, heading, message := http.StatusInternalServerError, "Something went wrong",
		"The server could not answer. Try again in a moment."
	var he *echo.HTTPError
	switch {
	case errors.Is(err, service.ErrNotFound) || errors.Is(err, echo.ErrNotFound):
		status, heading, message = http.StatusNotFound, "Page not found",
			"There is nothing here, or you do not have access to it."
	case errors.Is(err, errFormTooLarge):
		status, heading, message = http.StatusRequestEntityTooLarge, "Form too large",
			"The form sent was over 64 KB. Go back, shorten what you typed and try again."
	case errors.As(err, &he) && he.Code < 500:
		status, heading, message = he.Code, http.StatusText(he.Code), "The request was refused."
		if he.Code == http.StatusForbidden || he.Code == http.StatusBadRequest {
			heading, message = "Request refused",
				"This form expired or came from another site. Go back, reload the page and try again."
		}
	default:
		s.Log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "err", err)
	}
	token, _ := c.Get(csrfKey).(string)
	p := views.Page{Title: heading, User: currentUser(c), CSRF: token}
	if renderErr := render(c, status, views.ErrorPage(p, heading, message)); renderErr != nil {
		s.Log.Error("render error page", "err", renderErr)
		c.NoContent(status)
	}
}
