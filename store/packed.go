package store

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// fieldSep separates the fields of a packed column: the unit separator U+001F, which no
// number, status, username or e-mail address holds (service.NormalizeEmail refuses
// control characters in addresses).
const fieldSep = "\x1f"

// packed is one text column of exprs' values in order, separated by fieldSep, a NULL
// written as nothing (concat's rule in SQLite and in PostgreSQL). A row read as one column
// costs the driver one call and one string instead of one per field (README, Performance).
func packed(exprs ...string) string {
	return `concat(` + strings.Join(exprs, `, '`+fieldSep+`', `) + `)`
}

var errPackedFields = errors.New("packed column: wrong number of fields")

// packedFields reads a packed column's fields in order. The strings it returns share
// the column's memory.
type packedFields struct {
	rest string
	done bool
	err  error
}

// text is the next field.
func (p *packedFields) text() string {
	if p.done {
		p.err = errPackedFields
		return ""
	}
	field, rest, found := strings.Cut(p.rest, fieldSep)
	if !found {
		p.err = errPackedFields
	}
	p.rest = rest
	return field
}

// last is every byte left, separators included: the last field may be any text.
func (p *packedFields) last() string {
	if p.done {
		p.err = errPackedFields
	}
	p.done = true
	return p.rest
}

// int is the next field as a number, 0 for NULL.
func (p *packedFields) int() int64 {
	field := p.text()
	if field == "" {
		return 0
	}
	n, err := strconv.ParseInt(field, 10, 64)
	if err != nil && p.err == nil {
		p.err = err
	}
	return n
}

// time is the next field as microseconds since 1970, the zero time for NULL.
func (p *packedFields) time() time.Time {
	if p.rest == "" || p.rest[0] == fieldSep[0] {
		p.text()
		return time.Time{}
	}
	return fromMicros(p.int())
}
