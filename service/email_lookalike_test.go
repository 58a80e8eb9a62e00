package service_test

import (
	"testing"

	"dbcollab/service"
)

func TestNormalizeEmailRefusesLookAlikesStoresNFCAndRefusesInvalidUTF8(t *testing.T) {
	for _, c := range []struct{ why, raw, want, message string }{
		{"Cyrillic а in a Latin domain label", "dave@exаmple.com", "",
			`This address mixes alphabets (Cyrillic, Latin) in "exаmple", as look-alike addresses do; type it in one alphabet`},
		{"Greek ο in a Latin local part", "gοod@example.com", "",
			`This address mixes alphabets (Greek, Latin) in "gοod", as look-alike addresses do; type it in one alphabet`},
		{"invalid UTF-8", "dave\xff@example.com", "", "Enter a valid e-mail address, like name@example.com"},
		{"a lone continuation byte in the domain", "dave@exam\x80ple.com", "", "Enter a valid e-mail address, like name@example.com"},
		{"Cyrillic throughout a label", "иван@пример.рф", "иван@пример.рф", ""},
		{"scripts differing between labels", "ivan@пример.com", "ivan@пример.com", ""},
		{"Japanese mixes Han, kana and Latin", "taro@日本のサイトjp.com", "taro@日本のサイトjp.com", ""},
		{"decomposed é stored composed", "Jose\u0301@example.com", "jos\u00e9@example.com", ""},
		{"digits and dashes with any script", "о-1@пример.рф", "о-1@пример.рф", ""},
	} {
		t.Run(c.why, func(t *testing.T) {
			got, err := service.NormalizeEmail(c.raw)
			if c.message == "" {
				if err != nil || got != c.want {
					t.Fatalf("NormalizeEmail(%q) = %q, %v; want %q", c.raw, got, err, c.want)
				}
				return
			}
			wantError(t, err, service.Invalid, "email", c.message)
		})
	}
}
