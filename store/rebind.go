package store

import (
	"strconv"
	"strings"
	"sync"
)

// The store's queries are written with SQLite's placeholders: ? for the next argument
// and ?N for the Nth. PostgreSQL takes $N only; rebind rewrites a query once and keeps
// the result, the queries being constants of this package.
var rebound sync.Map // query text → PostgreSQL text

func rebindCached(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	q := rebind(query)
	rebound.Store(query, q)
	return q
}

// rebind turns each ? into $n (n counting the bare ?s so far) and each ?N into $N,
// leaving alone what is inside quoted literals, quoted identifiers, dollar-quoted
// strings and comments.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	next := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := closing(query, i+1, string(c))
			b.WriteString(query[i:end])
			i = end
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := closing(query, i+2, "\n")
			b.WriteString(query[i:end])
			i = end
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := closing(query, i+2, "*/")
			b.WriteString(query[i:end])
			i = end
		case c == '$' && dollarTag(query[i:]) != "":
			tag := dollarTag(query[i:])
			end := closing(query, i+len(tag), tag)
			b.WriteString(query[i:end])
			i = end
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
			} else {
				next++
				b.WriteString(strconv.Itoa(next))
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// closing is the index just past the first end at or after from, or the end of s when
// the literal or comment is not closed. A doubled quote inside a literal is part of it,
// and is skipped like any other character up to the last quote.
func closing(s string, from int, end string) int {
	if k := strings.Index(s[from:], end); k >= 0 {
		return from + k + len(end)
	}
	return len(s)
}

// dollarTag is the $tag$ or $$ that opens a dollar-quoted string at the start of s, or
// "" when s does not start with one (as $1 does not).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1]
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9' || c >= 0x80:
		default:
			return ""
		}
	}
	return ""
}
