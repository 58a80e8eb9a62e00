package service

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseRowQuery checks that whatever a URL holds in q, status, page and per_page,
// ParseRowQuery either refuses each bad value with an Invalid error naming its field, or
// returns a query within its bounds that says what was typed: the search trimmed, a
// known status, the page and rows per page as written in digits.
func FuzzParseRowQuery(f *testing.F) {
	for _, seed := range [][4]string{
		{"", "", "", ""},
		{"bob", "pending", "2", "50"},
		{"  Bob@Example.com ", "all", "1000000", "1000"},
		{"%_\\", "expired", "0", "0"},
		{"a\x00b", "Accepted", "-1", "+5"},
		{"\xff", "owner", "1e3", " 7"},
		{strings.Repeat("é", 255), "accepted", "99999999999999999999", "1001"},
		{"ﬀ\u200b", "pending\n", "٣", "0x10"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, search, status, page, perPage string) {
		q, err := ParseRowQuery(search, status, page, perPage, 7)
		bad := map[string]bool{}
		if err != nil {
			for field, message := range ByField(err) {
				if !slices.Contains([]string{"q", "status", "page", "per_page"}, field) || message == "" {
					t.Fatalf("ParseRowQuery(%q, %q, %q, %q): error %q on field %q", search, status, page, perPage, message, field)
				}
				bad[field] = true
			}
			if len(bad) == 0 {
				t.Fatalf("ParseRowQuery(%q, %q, %q, %q): error %v names no field", search, status, page, perPage, err)
			}
		}
		// Whatever was refused, what is returned stays within bounds.
		if q.Page < 1 || q.Page > MaxPage || q.PerPage < 0 || q.PerPage > MaxPerPage {
			t.Fatalf("page %d of %d rows: out of bounds", q.Page, q.PerPage)
		}
		if q.Status != "" && !isRowStatus(q.Status) {
			t.Fatalf("status %q", q.Status)
		}
		if !utf8.ValidString(q.Search) || utf8.RuneCountInString(q.Search) > MaxSearchLength || strings.ContainsFunc(q.Search, unicode.IsControl) {
			t.Fatalf("search %q", q.Search)
		}
		if !bad["q"] && q.Search != strings.TrimSpace(search) {
			t.Fatalf("search %q accepted as %q", search, q.Search)
		}
		if !bad["status"] && q.Status != strings.TrimPrefix(status, "all") {
			t.Fatalf("status %q accepted as %q", status, q.Status)
		}
		if n, err := strconv.Atoi(page); !bad["page"] && page != "" && (err != nil || n != q.Page || strings.ContainsAny(page, "+- ")) {
			t.Fatalf("page %q accepted as %d", page, q.Page)
		}
		if n, err := strconv.Atoi(perPage); !bad["per_page"] && perPage != "" && (err != nil || n != q.PerPage || strings.ContainsAny(perPage, "+- ")) {
			t.Fatalf("per_page %q accepted as %d", perPage, q.PerPage)
		}
		if bad["page"] && q.Page != 1 || bad["per_page"] && q.PerPage != 7 || bad["status"] && q.Status != "" || bad["q"] && q.Search != "" {
			t.Fatalf("a refused value is not its default: %+v", q)
		}
	})
}
