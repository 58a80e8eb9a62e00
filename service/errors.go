package service

import "errors"

// Kind says what went wrong, so that each front end picks its own status code.
type Kind int

const (
	// Invalid: the input breaks a rule (a bad address, the owner's row).
	Invalid Kind = iota + 1
	// Conflict: the input clashes with what is stored (already invited, name taken).
	Conflict
	// NotFound: the thing does not exist, or the user may not see it.
	NotFound
	// Unauthorized: wrong credentials.
	Unauthorized
	// TooMany: a rate limit is reached; try again later.
	TooMany
)

// Error is a rule refusing a request, with words fit to show the user. Field names the
// form field it is about, if any.
type Error struct {
	Kind    Kind
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// ErrNotFound answers for anything the user may not see: it does not exist for them.
var ErrNotFound = &Error{Kind: NotFound, Message: "Not found"}

func invalid(field, message string) *Error {
	return &Error{Kind: Invalid, Field: field, Message: message}
}

func conflict(field, message string) *Error {
	return &Error{Kind: Conflict, Field: field, Message: message}
}

// AsError returns err as a rule's *Error, if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// FieldErrors is several rule errors about a form's fields, reported together.
type FieldErrors []*Error

func (fe FieldErrors) Error() string {
	if len(fe) == 0 {
		return "no errors"
	}
	return fe[0].Message
}

func (fe *FieldErrors) add(err error) {
	if e, ok := AsError(err); ok {
		*fe = append(*fe, e)
	}
}

// ByField maps each field to its first message, for forms.
func ByField(err error) map[string]string {
	out := map[string]string{}
	var fe FieldErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			if _, seen := out[e.Field]; !seen {
				out[e.Field] = e.Message
			}
		}
	} else if e, ok := AsError(err); ok {
		out[e.Field] = e.Message
	}
	return out
}
