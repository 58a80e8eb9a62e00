package service

import (
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzNormalizedAddressIsPlainText checks that an address NormalizeEmail accepts is
// plain, visible text: valid UTF-8 without a control, invisible (format), space or
// separator character, which could end a mail header or pass for another address, and
// that a mail header built from it is one line. Seeds are in
// testdata/fuzz/FuzzNormalizedAddressIsPlainText.
func FuzzNormalizedAddressIsPlainText(f *testing.F) {
	for _, seed := range []string{"dave@example.com", "\u0080@example.com", "a\u202e@example.com", "a@exa\u200bmple.com", "ü@example.com"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		email, err := NormalizeEmail(raw)
		if err != nil {
			return
		}
		if !utf8.ValidString(email) {
			t.Fatalf("NormalizeEmail(%q) = %q: invalid UTF-8", raw, email)
		}
		if i := strings.IndexFunc(email, func(r rune) bool {
			return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp)
		}); i >= 0 {
			t.Fatalf("NormalizeEmail(%q) = %q: it holds %U", raw, email, []rune(email[i:])[0])
		}
		if header := (&mail.Address{Address: email}).String(); strings.ContainsAny(header, "\r\n") {
			t.Fatalf("NormalizeEmail(%q) = %q makes the header %q", raw, email, header)
		}
	})
}
