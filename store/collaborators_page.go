package store

import (
	"context"
	"fmt"
	"strings"
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

// rowFilters are the WHERE clauses of each status, over collaborators m; ?2 is the
// expiry cut-off, given only to those that name it (PostgreSQL refuses an argument it
// is given unused).
var rowFilters = map[string]string{
	"":             `m.status IN ('owner', 'pending', 'accepted')`,
	StatusAccepted: `m.status = 'accepted'`,
	StatusPending:  `m.status = 'pending' AND coalesce(m.sent_at, 0) > ?2`,
	StatusExpired:  `m.status = 'pending' AND coalesce(m.sent_at, 0) <= ?2`,
}

// rowSearch matches the search, argument ?%d, over collaborators m and users u.
var rowSearch = perDialect{
	sqlite:   ` AND (instr(m.email, ?%[1]d) > 0 OR instr(lower(coalesce(u.username, '')), ?%[1]d) > 0)`,
	postgres: ` AND (strpos(m.email, ?%[1]d) > 0 OR strpos(lower(coalesce(u.username, '')), ?%[1]d) > 0)`,
}

// liveRowsCount is the count of every live row, kept by triggers (migration 018).
const liveRowsCount = `SELECT live_rows FROM databases WHERE id = ?1`

// maxPrealloc bounds the room a list makes ahead for the rows its limit allows: a limit
// says at most, and a last page is short.
const maxPrealloc = 100

// pageRow is collaboratorColumns less what a page of rows does without (the database,
// which the page is of; the invitation token's hash; the inviter's ID, as their name is
// read; when the row ended, as a live row has not), packed in one column read by
// scanPageRow: every column costs each row of the page (README, Performance). The
// delivery's last error comes last, as it may hold any text.
var pageRow = packed(`m.id`, `m.email`, `m.user_id`, `u.username`, `m.status`, `m.invited_at`,
	`m.accepted_at`, `i.username`, `m.sent_at`, `m.email_id`, `e.attempts`, `e.sent_at`, `e.failed_at`,
	`e.last_error`)

// scanPageRow is the row of databaseID that a pageRow column holds.
func scanPageRow(databaseID, column string) (Collaborator, error) {
	f := packedFields{rest: column}
	m := Collaborator{DatabaseID: databaseID, ID: f.int(), Email: f.text(), UserID: f.int(), Username: f.text(),
		Status: f.text(), InvitedAt: f.time(), AcceptedAt: f.time(), InviterName: f.text(), SentAt: f.time(),
		EmailID: f.int()}
	m.Delivery = Delivery{Attempts: int(f.int()), SentAt: f.time(), FailedAt: f.time(), LastError: f.last()}
	return m, f.err
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
	if c.pg && strings.ContainsRune(f.Search, 0) {
		return nil, 0, nil // PostgreSQL text holds no NUL: no row has one
	}
	args := []any{databaseID}
	if strings.Contains(where, "?2") {
		args = append(args, micros(f.ExpiredFrom))
	}
	where = `m.database_id = ?1 AND ` + where
	order := `m.id`
	if f.Status == "" {
		order = `m.status <> 'owner', m.id`
	}
	count := `SELECT count(*) FROM collaborators m`
	if f.Search != "" {
		args = append(args, f.Search)
		where += fmt.Sprintf(rowSearch.of(c), len(args))
		count += ` LEFT JOIN users u ON u.id = m.user_id`
	}
	countArgs := args
	var limit any = f.Limit
	if f.Limit <= 0 {
		limit = -1 // SQLite: no limit
		if c.pg {
			limit = nil
		}
	}
	count += ` WHERE ` + where
	if f.Status == "" && f.Search == "" {
		count = liveRowsCount
	}
	args = append(args, limit, f.Offset)
	// The count is a subquery of its own, which SQLite runs once for the statement.
	query := `SELECT ` + pageRow + `, (` + count + `) ` + collaboratorJoins + `
		WHERE ` + where + ` ORDER BY ` + order + fmt.Sprintf(` LIMIT ?%d OFFSET ?%d`, len(args)-1, len(args))
	rows, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: collaborators page: %w", err)
	}
	defer rows.Close()
	// Room for the page from the start: grown row by row, a page of 50 would allocate
	// 45 KB and copy it as it goes.
	list := make([]Collaborator, 0, min(max(f.Limit, 0), maxPrealloc))
	total := 0
	var column string
	for rows.Next() {
		if err := rows.Scan(&column, &total); err != nil {
			return nil, 0, fmt.Errorf("store: collaborators page: %w", err)
		}
		m, err := scanPageRow(databaseID, column)
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
		if err := c.q.QueryRowContext(ctx, count, countArgs...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("store: count collaborators: %w", err)
		}
	}
	return list, total, nil
}
