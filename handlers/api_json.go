package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"time"

	"github.com/labstack/echo/v4"
)

// maxAPIBody bounds a request body: every request the API takes is a few short fields.
const maxAPIBody = 64 << 10

// decodeJSON reads the request's JSON body into v. Before anything is stored, it refuses
// a body not declared as JSON (415), one over 64 KB (413) and one that is not a single
// well-formed JSON object of the expected shape (400).
func decodeJSON(c echo.Context, v any) error {
	r := c.Request()
	mediaType, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mediaType != echo.MIMEApplicationJSON {
		return &apiError{status: http.StatusUnsupportedMediaType,
			message: "Send the request body as JSON, with Content-Type: application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxAPIBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &apiError{status: http.StatusRequestEntityTooLarge,
			message: fmt.Sprintf("The request body is over %d KB", maxAPIBody>>10)}
	}
	if err != nil {
		return &apiError{status: http.StatusBadRequest, message: "The request body could not be read"}
	}
	// Unmarshal checks the whole body is one valid JSON value before filling in v.
	err = json.Unmarshal(body, v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return &apiError{status: http.StatusBadRequest, message: "The request body must be a JSON object"}
	case errors.As(err, &typeErr):
		return &apiError{status: http.StatusBadRequest,
			message: fmt.Sprintf("Malformed JSON: %s must be %s", typeErr.Field, jsonKind(typeErr.Type))}
	case err != nil:
		return &apiError{status: http.StatusBadRequest, message: "Malformed JSON: " + err.Error()}
	}
	return nil
}

// jsonKind names the JSON value a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "a number"
	}
}

// apiTime writes times as RFC 3339 in UTC, to the second.
func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// apiOptionalTime is apiTime, or null for a time that has not come.
func apiOptionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := apiTime(t)
	return &s
}

// noStore keeps API answers, tokens among them, out of every cache.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}
