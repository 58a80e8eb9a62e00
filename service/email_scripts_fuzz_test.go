package service

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzLookAlikeCheck checks NormalizeEmail's script rule against a plain reading of
// the Unicode script tables: an accepted address has no part (local part or domain
// label) mixing scripts beyond the allowed mixes, and a refusal for mixing names a part
// that does.
func FuzzLookAlikeCheck(f *testing.F) {
	for _, seed := range []string{"dave@example.com", "dave@ex\u0430mple.com", "g\u03bfod@example.com",
		"taro@日本のサイトjp.com", "иван@пример.рф", "a\u0301b@example.com", "x@ab\u0660.com"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		email, err := NormalizeEmail(raw)
		if err != nil {
			e, _ := AsError(err)
			if strings.HasPrefix(e.Message, "This address mixes alphabets") {
				var mixed bool
				for part := range strings.FieldsFuncSeq(strings.ToLower(strings.TrimSpace(raw)), isPartSeparator) {
					mixed = mixed || !allowedMix(slowScripts(part))
				}
				if !mixed {
					t.Fatalf("NormalizeEmail(%q) refused %q as mixing alphabets: %s", raw, raw, e.Message)
				}
			}
			return
		}
		for part := range strings.FieldsFuncSeq(email, isPartSeparator) {
			if scripts := slowScripts(part); !allowedMix(scripts) {
				t.Fatalf("NormalizeEmail(%q) = %q accepted %q, which mixes %v", raw, email, part, scripts)
			}
		}
	})
}

func isPartSeparator(r rune) bool { return r == '@' || r == '.' }

// slowScripts reads every script table for every character.
func slowScripts(s string) []string {
	seen := map[string]bool{}
	for _, r := range s {
		for name, table := range unicode.Scripts {
			if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
				seen[name] = true
			}
		}
	}
	var out []string
	for name := range seen {
		out = append(out, name)
	}
	return sortStrings(out)
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}
