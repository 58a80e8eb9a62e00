package service

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzSplitAddresses checks that whatever is typed in the Add form's Email field,
// SplitAddresses either refuses it as too many with a field error, or returns at most
// MaxInvitesAtOnce distinct, non-empty pieces of what was typed, free of separators.
func FuzzSplitAddresses(f *testing.F) {
	for _, seed := range []string{
		"",
		"  ,\n",
		"dave@example.com",
		"a@example.com, b@example.com\nc@example.com\r\nA@EXAMPLE.com",
		"dave@example.com\r\nBcc: everyone@example.com",
		strings.Repeat("x@example.com ", 21),
		"dave\xff@example.com,,\u00a0eve@example.com",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		addresses, err := SplitAddresses(typed)
		if err != nil {
			if e, ok := AsError(err); !ok || e.Kind != Invalid || e.Field != "email" || e.Message == "" {
				t.Fatalf("SplitAddresses(%q) error = %#v, want an e-mail field error", typed, err)
			}
			if addresses != nil {
				t.Fatalf("SplitAddresses(%q) refused but returned %q", typed, addresses)
			}
			return
		}
		if len(addresses) > MaxInvitesAtOnce {
			t.Fatalf("SplitAddresses(%q) returned %d addresses", typed, len(addresses))
		}
		seen := map[string]bool{}
		for _, a := range addresses {
			if a == "" || strings.ContainsAny(a, ", \t\n\r\f\v") || !strings.Contains(typed, a) {
				t.Fatalf("SplitAddresses(%q) returned %q, not a separated piece of what was typed", typed, a)
			}
			if seen[strings.ToLower(a)] {
				t.Fatalf("SplitAddresses(%q) returned %q twice", typed, a)
			}
			seen[strings.ToLower(a)] = true
		}
	})
}

func TestSplitAddresses(t *testing.T) {
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"", nil},
		{" a@example.com ", []string{"a@example.com"}},
		{"a@example.com,b@example.com  c@example.com\r\nd@example.com\n\ne@example.com",
			[]string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"}},
		{"a@example.com, A@Example.com", []string{"a@example.com"}},
	} {
		got, err := SplitAddresses(tc.typed)
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("SplitAddresses(%q) = %q, %v; want %q", tc.typed, got, err, tc.want)
		}
	}
	if got, err := SplitAddresses(numbered(MaxInvitesAtOnce)); err != nil || len(got) != MaxInvitesAtOnce {
		t.Errorf("%d addresses: %d returned, error %v", MaxInvitesAtOnce, len(got), err)
	}
	_, err := SplitAddresses(numbered(MaxInvitesAtOnce + 1))
	if e, ok := AsError(err); !ok || e.Field != "email" || e.Message != "Enter at most 20 addresses at once (you entered 21)" {
		t.Errorf("%d addresses: error %v", MaxInvitesAtOnce+1, err)
	}
}

// numbered is n distinct addresses separated by commas.
func numbered(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "user%d@example.com,", i)
	}
	return b.String()
}
