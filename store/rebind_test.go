package store

import (
	"strings"
	"testing"
)

func TestRebindNumbersPlaceholdersOutsideLiteralsAndComments(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE a = ? AND b = ?`, `SELECT a FROM t WHERE a = $1 AND b = $2`},
		{`WHERE id = ?1 AND (x = ?2 OR y = ?2) LIMIT ?10`, `WHERE id = $1 AND (x = $2 OR y = $2) LIMIT $10`},
		{`SELECT '?', "a?b", ? -- what?` + "\n" + `, ? /* ? */`, `SELECT '?', "a?b", $1 -- what?` + "\n" + `, $2 /* ? */`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT $$ ? $$, $tag$ '?' $tag$, ?`, `SELECT $$ ? $$, $tag$ '?' $tag$, $1`},
		{`SELECT $1, ?`, `SELECT $1, $1`},
		{`SELECT 'never closed ?`, `SELECT 'never closed ?`},
		{`SELECT ? -- last line ?`, `SELECT $1 -- last line ?`},
	} {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRebind: every ? outside literals and comments becomes one $n, nothing else moves,
// and rebinding the result changes nothing more.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{`SELECT ? , ?2`, `'?' "?" -- ?`, `/* ? */ ?`, `$a$ ? $a$ ?`, `$1 ? $$`, `''?''`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := rebind(q)
		if !strings.Contains(q, "?") && got != q {
			t.Fatalf("rebind(%q) = %q, want it unchanged", q, got)
		}
		replaced := strings.Count(q, "?") - strings.Count(got, "?")
		if added := strings.Count(got, "$") - strings.Count(q, "$"); added != replaced {
			t.Fatalf("rebind(%q) = %q: %d ? replaced by %d $", q, got, replaced, added)
		}
		// A $ of the query next to a new $n may read as a dollar quote: only without one.
		if again := rebind(got); !strings.Contains(q, "$") && again != got {
			t.Fatalf("rebind(%q) = %q, and again %q: a placeholder was left", q, got, again)
		}
		if withoutPlaceholders(got) != withoutPlaceholders(q) {
			t.Fatalf("rebind(%q) = %q changed more than the placeholders", q, got)
		}
	})
}

// withoutPlaceholders removes every ? and $ and the digits that follow them.
func withoutPlaceholders(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '?' && s[i] != '$' {
			b.WriteByte(s[i])
		} else {
			for i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				i++
			}
		}
	}
	return b.String()
}

func TestRedactedHidesThePostgresPassword(t *testing.T) {
	for in, want := range map[string]string{
		"dbcollab.db": "dbcollab.db",
		"postgres://app:s3cret@db.internal:5432/store": "postgres://app:xxxxx@db.internal:5432/store",
		"postgresql://app@db/store?sslmode=require":    "postgresql://app@db/store?sslmode=require",
	} {
		if got := Redacted(in); got != want || strings.Contains(got, "s3cret") {
			t.Errorf("Redacted(%q) = %q, want %q", in, got, want)
		}
	}
}
