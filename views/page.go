// Package views renders the dashboard's pages with templ.
package views

import (
	"strings"

	"dbcollab/store"
)

// Page is what every page's layout needs.
type Page struct {
	Title string
	// User is the signed-in user; nil for an anonymous visitor.
	User *store.User
	// CSRF is the token every form posts back.
	CSRF string
	// Flash is a one-time message about the last action, shown above the content.
	Flash string
	// FlashIsError marks a Flash that says an action was refused: it looks like an error.
	FlashIsError bool
	// Failed is set by a page showing a form's errors, so that its title says so.
	Failed bool
}

// documentTitle is the <title>: what just happened, or that there is an error, comes
// first, because it is what a screen reader reads on arrival.
func (p Page) documentTitle() string {
	title := p.Title + " · dbcollab"
	if p.Flash != "" {
		title = p.Flash + " · " + title
	}
	if p.Failed || p.FlashIsError {
		title = "Error: " + title
	}
	return title
}

// failing marks p as showing errors when form has any, or when message is set.
func (p Page) failing(f Form, message string) Page {
	p.Failed = p.Failed || len(f.Errors) > 0 || message != ""
	return p
}

// Form is a submitted form's values and per-field errors, so that a form shown again
// keeps what was typed and says what is wrong next to each field.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// Value returns what was typed in field.
func (f Form) Value(field string) string { return f.Values[field] }

// Error returns the message for field, if any.
func (f Form) Error(field string) string { return f.Errors[field] }

// Invalid reports whether field has an error, as the aria-invalid value.
func (f Form) Invalid(field string) string {
	if f.Errors[field] != "" {
		return "true"
	}
	return "false"
}

// Describe is the aria-describedby value linking field to its error, if it has one.
func (f Form) Describe(field string) string {
	if f.Errors[field] != "" {
		return field + "-error"
	}
	return ""
}

// joinIDs is an ARIA ID list of the non-empty ids.
func joinIDs(ids ...string) string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return strings.Join(out, " ")
}
