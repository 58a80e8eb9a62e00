package service

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dbcollab/store"
)

// RowsPerPage is how many rows a page of the Collaborators tab shows.
const RowsPerPage = 50

// Bounds of a RowQuery.
const (
	MaxSearchLength = 254 // characters, an address's longest
	MaxPage         = 1_000_000
	MaxPerPage      = 1000
)

// Row statuses a RowQuery may ask for; "" (or "all" when parsed) is every live row.
var rowStatuses = []string{store.StatusAccepted, store.StatusPending, store.StatusExpired}

// RowQuery chooses the rows of a database that a list shows: those whose e-mail or
// username holds Search (any case), of Status, page Page (from 1) of PerPage rows.
type RowQuery struct {
	Search string
	Status string
	Page   int
	// PerPage 0 is every row on one page.
	PerPage int
}

// ParseRowQuery reads a RowQuery from the text of a query string (q, status, page,
// per_page; empty ones take their defaults: every row, page 1, perPage rows). A bad
// value is refused with FieldErrors naming its field, and its default is used in the
// RowQuery returned, so that a page can still show something.
func ParseRowQuery(search, status, page, perPage string, defaultPerPage int) (RowQuery, error) {
	q := RowQuery{Page: 1, PerPage: defaultPerPage}
	var errs FieldErrors
	if s, err := parseSearch(search); err != nil {
		errs.add(err)
	} else {
		q.Search = s
	}
	switch {
	case status == "" || status == "all":
	case isRowStatus(status):
		q.Status = status
	default:
		errs.add(invalid("status", "Status must be all, accepted, pending or expired"))
	}
	if page != "" {
		if n, ok := wholeNumber(page, 1, MaxPage); ok {
			q.Page = n
		} else {
			errs.add(invalid("page", "Page must be a whole number from 1 to "+strconv.Itoa(MaxPage)))
		}
	}
	if perPage != "" {
		if n, ok := wholeNumber(perPage, 1, MaxPerPage); ok {
			q.PerPage = n
		} else {
			errs.add(invalid("per_page", "Rows per page must be a whole number from 1 to "+strconv.Itoa(MaxPerPage)))
		}
	}
	if len(errs) > 0 {
		return q, errs
	}
	return q, nil
}

func parseSearch(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case !utf8.ValidString(s):
		return "", invalid("q", "Search must be text")
	case utf8.RuneCountInString(s) > MaxSearchLength:
		return "", invalid("q", "Search at most "+strconv.Itoa(MaxSearchLength)+" characters")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", invalid("q", "Search must not hold control characters")
	}
	return s, nil
}

func isRowStatus(status string) bool {
	for _, s := range rowStatuses {
		if status == s {
			return true
		}
	}
	return false
}

// wholeNumber reads decimal digits alone (no sign, no space) as a number from lo to hi.
func wholeNumber(s string, lo, hi int) (int, bool) {
	if len(s) > len(strconv.Itoa(hi)) || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

// CollaboratorsPage returns the database ref with the live rows q chooses, as people see
// them (owner first, then invitation order), and how many q chooses in all, if userID
// is a member.
func (s *Service) CollaboratorsPage(ctx context.Context, userID int64, ref string, q RowQuery) (store.Database, []store.Collaborator, int, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	if err != nil {
		return store.Database{}, nil, 0, err
	}
	rows, total, err := s.rowsPage(ctx, db, q)
	return db, rows, total, err
}

// rowsPage reads the page of db's live rows that q chooses, and their total.
func (s *Service) rowsPage(ctx context.Context, db store.Database, q RowQuery) ([]store.Collaborator, int, error) {
	f := store.RowFilter{
		// Addresses are stored lower-cased and NFC (NormalizeEmail), usernames are ASCII.
		Search:      norm.NFC.String(strings.ToLower(q.Search)),
		Status:      q.Status,
		ExpiredFrom: s.now().Add(-s.inviteTTL()),
		Limit:       q.PerPage,
	}
	if q.PerPage > 0 && q.Page > 1 {
		f.Offset = (q.Page - 1) * q.PerPage
	}
	rows, total, err := s.Store.CollaboratorsPage(ctx, db.ID, f)
	s.asSeen(rows)
	return rows, total, err
}
