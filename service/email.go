package service

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxEmailLength is the longest address SMTP can carry (RFC 5321 path limit).
const MaxEmailLength = 254

// NormalizeEmail trims, lower-cases and NFC-normalises an address and checks it is a
// bare addr-spec: valid UTF-8, one @, no display name, no CR, LF or NUL anywhere (edges
// included), no other control, invisible or separator character, at most 254
// characters, no part mixing alphabets as look-alikes do. The result is how every
// address is stored and compared.
func NormalizeEmail(raw string) (string, error) {
	// Checked first: lower-casing would turn invalid bytes into U+FFFD.
	if !utf8.ValidString(raw) {
		return "", invalid("email", "Enter a valid e-mail address, like name@example.com")
	}
	email := norm.NFC.String(strings.ToLower(strings.TrimSpace(raw)))
	switch {
	case email == "":
		return "", invalid("email", "Enter an e-mail address")
	case len(email) > MaxEmailLength:
		return "", invalid("email", "An e-mail address has at most 254 characters")
	// Checked before trimming: trimming would quietly accept a header injection attempt.
	case strings.ContainsAny(raw, "\r\n\x00"), strings.Count(email, "@") != 1:
		return "", invalid("email", "Enter a valid e-mail address, like name@example.com")
	// No control, invisible, spacing or separator character either (net/mail lets any
	// non-ASCII through): they would make an address look like another, or end a line.
	case strings.ContainsFunc(email, unprintableInAddress):
		return "", invalid("email", "Enter a valid e-mail address, like name@example.com")
	}
	parsed, err := mail.ParseAddress(email)
	if err != nil || parsed.Address != email || parsed.Name != "" {
		return "", invalid("email", "Enter a valid e-mail address, like name@example.com")
	}
	domain := email[strings.IndexByte(email, '@')+1:]
	if strings.HasPrefix(domain, "[") || !strings.Contains(domain, ".") {
		return "", invalid("email", "Enter a valid e-mail address, like name@example.com")
	}
	if err := refuseMixedScripts(email); err != nil {
		return "", err
	}
	return email, nil
}

// unprintableInAddress: control, format (invisible), space and separator characters.
func unprintableInAddress(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp)
}
