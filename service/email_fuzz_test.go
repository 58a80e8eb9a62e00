package service

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzNormalizeEmail checks that whatever is typed into an e-mail field, NormalizeEmail
// either refuses it with a field error or returns a bare, normalised address that is
// safe in a mail header. More seeds are in testdata/fuzz/FuzzNormalizeEmail.
func FuzzNormalizeEmail(f *testing.F) {
	for _, seed := range []string{
		"dave@example.com",
		"  Dave.Smith@Example.COM\t",
		"dave@example.com\r\nBcc: everyone@example.com",
		"Dave <dave@example.com>",
		"İSTANBUL@example.com",
		strings.Repeat("a", 242) + "@example.com",
		"dave\xff@example.com",
		"dave@ex\u0430mple.com",
		"Jose\u0301@example.com",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		email, err := NormalizeEmail(raw)
		if err != nil {
			if e, ok := AsError(err); !ok || e.Kind != Invalid || e.Field != "email" || e.Message == "" {
				t.Fatalf("NormalizeEmail(%q) error = %#v, want an invalid-email field error", raw, err)
			}
			if email != "" {
				t.Fatalf("NormalizeEmail(%q) refused but returned %q", raw, email)
			}
			return
		}
		switch {
		case email != norm.NFC.String(strings.ToLower(strings.TrimSpace(raw))):
			t.Fatalf("NormalizeEmail(%q) = %q: it may only trim, lower-case and compose (NFC)", raw, email)
		case !utf8.ValidString(raw):
			t.Fatalf("NormalizeEmail(%q) accepted invalid UTF-8", raw)
		case !norm.NFC.IsNormalString(email):
			t.Fatalf("NormalizeEmail(%q) = %q is not NFC", raw, email)
		case email != strings.ToLower(email):
			t.Fatalf("NormalizeEmail(%q) = %q is not lower-case", raw, email)
		case email != strings.TrimSpace(email):
			t.Fatalf("NormalizeEmail(%q) = %q is not trimmed", raw, email)
		case len(email) > MaxEmailLength:
			t.Fatalf("NormalizeEmail(%q) = %q is %d bytes long", raw, email, len(email))
		case strings.Count(email, "@") != 1:
			t.Fatalf("NormalizeEmail(%q) = %q has %d @", raw, email, strings.Count(email, "@"))
		case strings.ContainsAny(raw, "\r\n\x00"):
			t.Fatalf("NormalizeEmail(%q) accepted CR, LF or NUL", raw)
		case !utf8.ValidString(email):
			t.Fatalf("NormalizeEmail(%q) = %q is not valid UTF-8", raw, email)
		}
		if again, err := NormalizeEmail(email); err != nil || again != email {
			t.Fatalf("NormalizeEmail(%q) = %q, %v; want it unchanged (from %q)", email, again, err, raw)
		}
		if parsed, err := mail.ParseAddress(email); err != nil || parsed.Address != email || parsed.Name != "" {
			t.Fatalf("NormalizeEmail(%q) = %q, which net/mail reads as %+v, %v", raw, email, parsed, err)
		}
	})
}
