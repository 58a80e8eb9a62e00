package cli

import (
	"net/url"
	"strings"
)

// shownURL is raw without its user and password, for messages, which end up in
// terminals, logs and bug reports: an API URL may carry credentials
// (http://admin:s3cret@host). ok is false, and nothing of raw is shown, when raw does
// not parse as a URL or hides a password where url.Parse sees none ("admin:s3cret@host"
// has the scheme "admin").
func shownURL(raw string) (shown string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || strings.Contains(u.Opaque, "@") {
		return "(URL not shown)", false
	}
	u.User = nil
	return u.String(), true
}

// shown is shownURL without ok, where raw is printed either way.
func shown(raw string) string {
	s, _ := shownURL(raw)
	return s
}
