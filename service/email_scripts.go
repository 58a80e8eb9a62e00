package service

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// A look-alike address hides a letter of another alphabet among Latin ones, as the
// Cyrillic "а" in "exаmple.com". Each part of an address (the local part and every
// label of the domain) must be written in one script, or in one of the mixes that
// Japanese, Chinese and Korean need (UTS #39, "highly restrictive"). Digits and
// punctuation belong to every script.
var allowedScriptMixes = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// refuseMixedScripts refuses an address with a part that mixes scripts.
func refuseMixedScripts(email string) error {
	for part := range strings.FieldsFuncSeq(email, func(r rune) bool { return r == '@' || r == '.' }) {
		if scripts := scriptsOf(part); !allowedMix(scripts) {
			return invalid("email", fmt.Sprintf(
				"This address mixes alphabets (%s) in %q, as look-alike addresses do; type it in one alphabet", strings.Join(scripts, ", "), part))
		}
	}
	return nil
}

// scriptsOf lists, sorted, the scripts of the letters of s.
func scriptsOf(s string) []string {
	var scripts []string
	for _, r := range s {
		if name := scriptOf(r); name != "" && !slices.Contains(scripts, name) {
			scripts = append(scripts, name)
		}
	}
	slices.Sort(scripts)
	return scripts
}

// scriptOf is the script of r, or "" for a character common to all of them.
func scriptOf(r rune) string {
	switch {
	case r < 0x80 && unicode.IsLetter(r):
		return "Latin"
	case r < 0x80:
		return ""
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

func allowedMix(scripts []string) bool {
	if len(scripts) <= 1 {
		return true
	}
	for _, mix := range allowedScriptMixes {
		if !slices.ContainsFunc(scripts, func(s string) bool { return !slices.Contains(mix, s) }) {
			return true
		}
	}
	return false
}
