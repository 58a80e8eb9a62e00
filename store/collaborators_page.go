package store

import (
	"context"
	"fmt"
	"time"
)

// RowFilter chooses the live rows of a database that a page of its Collaborators tab
// shows.
type RowFilter struct {
	// Search is a lower-case piece of the e-mail address or username, valid UTF-8,
	// matched as is: '%' and '_' are characters like any other. Empty matches every row.
	Search string
	// Status is "" (every live row), StatusAccepted, StatusPending or StatusExpired.
	Status string
	// ExpiredFrom: a pending row whose link was sent at or before it has expired.
	ExpiredFrom time.Time
	// Limit rows from Offset; Limit 0 is every row.
	Limit, Offset int
}

// rowFilters are the WHERE clauses of each status, over collaborators m and users u; ?2
// is the search, ?3 the expiry cut-off.
var rowFilters = map[string]string{
	"":             `m.status IN ('owner', 'pending', 'accepted')`,
	StatusAccepted: `m.status = 'accepted'`,
	StatusPending:  `m.status = 'pending' AND coalesce(m.sent_at, 0) > ?3`,
	StatusExpired:  `m.status = 'pending' AND coalesce(m.sent_at, 0) <= ?3`,
}

const rowSearch = ` AND (instr(m.email, ?2) > 0 OR instr(lower(coalesce(u.username, '')), ?2) > 0)`

// maxPrealloc bounds the room a list makes ahead for the rows its limit allows: a limit
// says at most, and a last page is short.
const maxPrealloc = 100

// pageColumns are collaboratorColumns less what a page of rows does without: the
// database, which the page is of; the invitation token's hash; the inviter's ID (their
// name is read); when the row ended, as a live row has not. Every column costs each row
// of the page (README, Performance).
const pageColumns = `m.id, m.email, coalesce(m.user_id, 0), coalesce(u.username, ''),
	m.status, m.invited_at, m.accepted_at,
	coalesce(i.username, ''), m.sent_at, coalesce(m.email_id, 0),
	coalesce(e.attempts, 0), e.sent_at, e.failed_at, coalesce(e.last_error, '')`

// newPageScan receives rows of pageColumns of the database databaseID.
func newPageScan(databaseID string) *collaboratorScan {
	s := &collaboratorScan{databaseID: databaseID}
	m := &s.m
	s.dest = []any{&m.ID, &m.Email, &m.UserID, &m.Username, &m.Status, &s.invited, &s.accepted,
		&m.InviterName, &s.sent, &m.EmailID, &m.Delivery.Attempts, &s.emailSent, &s.emailFailed, &m.Delivery.LastError}
	return s
}

// CollaboratorsPage returns the rows of databaseID that f chooses, owner first and then in
// invitation order, and how many it chooses in all, in one statement. The rows are
// read without their token hash and inviter's ID, and with no end time (live rows have
// none).
func (c Conn) CollaboratorsPage(ctx context.Context, databaseID string, f RowFilter) ([]Collaborator, int, error) {
	where, ok := rowFilters[f.Status]
	if !ok {
		return nil, 0, fmt.Errorf("store: collaborators page: unknown status %q", f.Status)
	}
	where = `m.database_id = ?1 AND ` + where
	order := `m.id`
	if f.Status == "" {
		order = `m.status <> 'owner', m.id`
	}
	count := `SELECT count(*) FROM collaborators m`
	if f.Search != "" {
		where += rowSearch
		count += ` LEFT JOIN users u ON u.id = m.user_id`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	count += ` WHERE ` + where
	if f.Status == "" && f.Search == "" {
		count = `SELECT live_rows FROM databases WHERE id = ?1` // kept by triggers (migration 018)
	}
	// The count is a subquery of its own, which SQLite runs once for the statement.
	query := `SELECT ` + pageColumns + `, (` + count + `) ` + collaboratorJoins + `
		WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ?4 OFFSET ?5`
	rows, err := c.q.QueryContext(ctx, query, databaseID, f.Search, micros(f.ExpiredFrom), limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: collaborators page: %w", err)
	}
	defer rows.Close()
	// Room for the page from the start: grown row by row, a page of 50 would allocate
	// 45 KB and copy it as it goes.
	list := make([]Collaborator, 0, min(max(f.Limit, 0), maxPrealloc))
	total := 0
	scan := newPageScan(databaseID)
	scan.dest = append(scan.dest, &total)
	for rows.Next() {
		m, err := scan.scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: collaborators page: %w", err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: collaborators page: %w", err)
	}
	if len(list) == 0 && f.Offset > 0 {
		// Past the last page: no row carried the count.
		if err := c.q.QueryRowContext(ctx, count, databaseID, f.Search, micros(f.ExpiredFrom)).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("store: count collaborators: %w", err)
		}
	}
	return list, total, nil
}
