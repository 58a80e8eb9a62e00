package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Collaborator statuses. Owner, pending and accepted rows are live; revoked and left
// rows are kept so that an old invitation link can say what became of it.
const (
	StatusOwner    = "owner"
	StatusPending  = "pending"
	StatusAccepted = "accepted"
	StatusRevoked  = "revoked"
	StatusLeft     = "left"
	// StatusExpired is never stored: it is how a pending row whose link has outlived
	// its time to live is shown.
	StatusExpired = "expired"
)

// Collaborator is one person's access to one database: the owner, an accepted
// collaborator or a pending invitation.
type Collaborator struct {
	ID          int64
	DatabaseID  string
	Email       string
	UserID      int64 // 0 while the invitation is pending
	Username    string
	Status      string
	InvitedBy   int64
	TokenHash   []byte
	InvitedAt   time.Time
	AcceptedAt  time.Time
	EndedAt     time.Time
	InviterName string
	// SentAt is when the current invitation link was last e-mailed; expiry counts from it.
	SentAt time.Time
	// EmailID is the outbox e-mail of the current link; Delivery says how it fares.
	EmailID  int64
	Delivery Delivery
	// ExpiresAt is when the current link stops working, for pending and expired rows;
	// the service sets it (it knows the links' time to live), the store never does.
	ExpiresAt time.Time
}

// Delivery is the state of an invitation e-mail in the outbox.
type Delivery struct {
	Attempts  int
	SentAt    time.Time
	FailedAt  time.Time
	LastError string
}

// State is "sent", "failed" (refused for good), "failing" (tried, not delivered yet, to
// be retried) or "queued".
func (d Delivery) State() string {
	switch {
	case !d.SentAt.IsZero():
		return "sent"
	case !d.FailedAt.IsZero():
		return "failed"
	case d.Attempts > 0:
		return "failing"
	default:
		return "queued"
	}
}

// Role is "owner" for the owner's row and "collaborator" for everyone else's.
func (m Collaborator) Role() string {
	if m.Status == StatusOwner {
		return "owner"
	}
	return "collaborator"
}

// InsertCollaborator inserts m and sets its ID. A live row for the same address on the
// same database gives ErrDuplicate.
func (w WriteTx) InsertCollaborator(ctx context.Context, m *Collaborator) error {
	err := w.tx.QueryRowContext(ctx, `
		INSERT INTO collaborators (database_id, email, user_id, status, invited_by, token_hash, invited_at, accepted_at, sent_at, email_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.DatabaseID, m.Email, nullID(m.UserID), m.Status, nullID(m.InvitedBy), m.TokenHash,
		micros(m.InvitedAt), nullMicros(m.AcceptedAt), nullMicros(m.SentAt), nullID(m.EmailID)).Scan(&m.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: insert collaborator: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: insert collaborator: %w", err)
	}
	return nil
}

// InsertInvitation stores an invitation: its e-mail, queued (e.ID set), its pending
// row m, with the e-mail's ID (m.ID and m.EmailID set), and its event. ErrDuplicate
// when the address already has a live row. On PostgreSQL one statement does the three
// inserts: a round trip instead of three, in a transaction that holds the writer gate.
func (w WriteTx) InsertInvitation(ctx context.Context, e *Email, m *Collaborator, ev Event) error {
	if !w.pg {
		if err := w.EnqueueEmail(ctx, e); err != nil {
			return err
		}
		m.EmailID = e.ID
		if err := w.InsertCollaborator(ctx, m); err != nil {
			return err
		}
		return w.InsertEvent(ctx, ev)
	}
	err := w.tx.QueryRowContext(ctx, `
		WITH mail AS (
			INSERT INTO outbox (to_addr, reply_to, subject, text_body, html_body, created_at, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id),
		invitation AS (
			INSERT INTO collaborators (database_id, email, user_id, status, invited_by, token_hash, invited_at, accepted_at, sent_at, email_id)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, mail.id FROM mail RETURNING id, email_id),
		event AS (
			INSERT INTO events (database_id, type, actor_id, target, at) VALUES (?, ?, ?, ?, ?))
		SELECT id, email_id FROM invitation`,
		e.To, e.ReplyTo, e.Subject, e.Text, e.HTML, micros(e.CreatedAt), micros(e.CreatedAt),
		m.DatabaseID, m.Email, nullID(m.UserID), m.Status, nullID(m.InvitedBy), m.TokenHash,
		micros(m.InvitedAt), nullMicros(m.AcceptedAt), nullMicros(m.SentAt),
		ev.DatabaseID, ev.Type, nullID(ev.ActorID), ev.Target, micros(ev.At)).Scan(&m.ID, &m.EmailID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: insert invitation: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: insert invitation: %w", err)
	}
	e.ID = m.EmailID
	return nil
}

const collaboratorColumns = `m.id, m.database_id, m.email, coalesce(m.user_id, 0), coalesce(u.username, ''),
	m.status, coalesce(m.invited_by, 0), m.token_hash, m.invited_at, m.accepted_at, m.ended_at,
	coalesce(i.username, ''), m.sent_at, coalesce(m.email_id, 0),
	coalesce(e.attempts, 0), e.sent_at, e.failed_at, coalesce(e.last_error, '')`

const collaboratorJoins = `FROM collaborators m
	LEFT JOIN users u ON u.id = m.user_id
	LEFT JOIN users i ON i.id = m.invited_by
	LEFT JOIN outbox e ON e.id = m.email_id`

func scanCollaborator(row interface{ Scan(...any) error }) (Collaborator, error) {
	return newCollaboratorScan().scan(row)
}

// collaboratorScan receives rows of collaboratorColumns. A list reuses one for all its
// rows, so that a row costs no allocation but its own text and bytes.
type collaboratorScan struct {
	m Collaborator
	// databaseID is the rows' database, for a scan whose columns leave it out.
	databaseID                       string
	invited                          int64
	accepted, ended, sent, emailSent sql.NullInt64
	emailFailed                      sql.NullInt64
	dest                             []any
}

func newCollaboratorScan() *collaboratorScan {
	s := &collaboratorScan{}
	m := &s.m
	s.dest = []any{&m.ID, &m.DatabaseID, &m.Email, &m.UserID, &m.Username, &m.Status, &m.InvitedBy,
		&m.TokenHash, &s.invited, &s.accepted, &s.ended, &m.InviterName, &s.sent, &m.EmailID,
		&m.Delivery.Attempts, &s.emailSent, &s.emailFailed, &m.Delivery.LastError}
	return s
}

func (s *collaboratorScan) scan(row interface{ Scan(...any) error }) (Collaborator, error) {
	s.m = Collaborator{DatabaseID: s.databaseID}
	err := row.Scan(s.dest...)
	m := s.m
	m.InvitedAt, m.AcceptedAt, m.EndedAt = fromMicros(s.invited), fromNullMicros(s.accepted), fromNullMicros(s.ended)
	m.SentAt, m.Delivery.SentAt = fromNullMicros(s.sent), fromNullMicros(s.emailSent)
	m.Delivery.FailedAt = fromNullMicros(s.emailFailed)
	return m, err
}

// Collaborators lists the live rows of a database: the owner first, then everyone else
// in invitation order.
func (c Conn) Collaborators(ctx context.Context, databaseID string) ([]Collaborator, error) {
	return c.collaboratorList(ctx, "collaborators", `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		WHERE m.database_id = ? AND m.status IN ('owner', 'pending', 'accepted')
		ORDER BY m.status <> 'owner', m.id`, databaseID)
}

func (c Conn) collaboratorList(ctx context.Context, what, query string, args ...any) ([]Collaborator, error) {
	rows, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var list []Collaborator
	scan := newCollaboratorScan()
	for rows.Next() {
		m, err := scan.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return list, nil
}

// LiveCollaborator returns the live row with that ID on that database.
func (c Conn) LiveCollaborator(ctx context.Context, databaseID string, id int64) (Collaborator, error) {
	m, err := scanCollaborator(c.q.QueryRowContext(ctx, `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		WHERE m.database_id = ? AND m.id = ? AND m.status IN ('owner', 'pending', 'accepted')`, databaseID, id))
	if err != nil {
		return Collaborator{}, notFound("collaborator", err)
	}
	return m, nil
}

// LiveCollaboratorByEmail returns the live row for that address on that database.
func (c Conn) LiveCollaboratorByEmail(ctx context.Context, databaseID, email string) (Collaborator, error) {
	m, err := scanCollaborator(c.q.QueryRowContext(ctx, `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		WHERE m.database_id = ? AND m.email = ? AND m.status IN ('owner', 'pending', 'accepted')`, databaseID, email))
	if err != nil {
		return Collaborator{}, notFound("collaborator by email", err)
	}
	return m, nil
}

// LiveCollaboratorByUser returns the live row of the account userID on that database.
func (c Conn) LiveCollaboratorByUser(ctx context.Context, databaseID string, userID int64) (Collaborator, error) {
	m, err := scanCollaborator(c.q.QueryRowContext(ctx, `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		WHERE m.database_id = ? AND m.user_id = ? AND m.status IN ('owner', 'pending', 'accepted')`, databaseID, userID))
	if err != nil {
		return Collaborator{}, notFound("collaborator by user", err)
	}
	return m, nil
}

// CollaboratorByTokenHash returns the row, live or not, whose invitation token hashes to h.
func (c Conn) CollaboratorByTokenHash(ctx context.Context, h []byte) (Collaborator, error) {
	m, err := scanCollaborator(c.q.QueryRowContext(ctx, `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		WHERE m.token_hash = ?`, h))
	if err != nil {
		return Collaborator{}, notFound("collaborator by token", err)
	}
	return m, nil
}

// CollaboratorByReplacedToken returns the row whose link hashing to h was replaced by a resend.
func (c Conn) CollaboratorByReplacedToken(ctx context.Context, h []byte) (Collaborator, error) {
	m, err := scanCollaborator(c.q.QueryRowContext(ctx, `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		JOIN replaced_tokens r ON r.collaborator_id = m.id
		WHERE r.token_hash = ?`, h))
	if err != nil {
		return Collaborator{}, notFound("collaborator by replaced token", err)
	}
	return m, nil
}

// ReplaceInvitationToken gives the pending row id a new link, e-mailed as emailID at
// sentAt; the old link is remembered as replaced.
func (w WriteTx) ReplaceInvitationToken(ctx context.Context, id int64, newHash []byte, emailID int64, sentAt time.Time) error {
	if _, err := w.tx.ExecContext(ctx, `
		INSERT INTO replaced_tokens (token_hash, collaborator_id, replaced_at)
		SELECT token_hash, id, ? FROM collaborators WHERE id = ? AND status = 'pending' AND token_hash IS NOT NULL`,
		micros(sentAt), id); err != nil {
		return fmt.Errorf("store: remember replaced token: %w", err)
	}
	return w.changeStatus(ctx, "replace invitation token", `
		UPDATE collaborators SET token_hash = ?, email_id = ?, sent_at = ?, expiry_recorded_at = NULL
		WHERE id = ? AND status = 'pending'`, newHash, emailID, micros(sentAt), id)
}

// UnrecordedExpiries lists the pending rows whose link was sent before sentBefore and
// whose expiry has no event yet.
func (c Conn) UnrecordedExpiries(ctx context.Context, sentBefore time.Time) ([]Collaborator, error) {
	return c.collaboratorList(ctx, "unrecorded expiries", `SELECT `+collaboratorColumns+` `+collaboratorJoins+`
		WHERE m.status = 'pending' AND m.sent_at <= ? AND m.expiry_recorded_at IS NULL
		ORDER BY m.sent_at, m.id`, micros(sentBefore))
}

// MarkExpiryRecorded notes that the expiry of row id's current link has its event. An
// expiry recorded already gives ErrNotFound, so that a second sweep cannot record it twice.
func (w WriteTx) MarkExpiryRecorded(ctx context.Context, id int64, at time.Time) error {
	return w.changeStatus(ctx, "mark expiry recorded", `UPDATE collaborators SET expiry_recorded_at = ?
		WHERE id = ? AND status = 'pending' AND expiry_recorded_at IS NULL`, micros(at), id)
}

// AcceptInvitation turns the pending row id into an accepted one for userID.
func (w WriteTx) AcceptInvitation(ctx context.Context, id, userID int64, at time.Time) error {
	return w.changeStatus(ctx, "accept invitation", `
		UPDATE collaborators SET status = 'accepted', user_id = ?, accepted_at = ?
		WHERE id = ? AND status = 'pending'`, userID, micros(at), id)
}

// EndCollaboration marks the live, non-owner row id as revoked or left.
func (w WriteTx) EndCollaboration(ctx context.Context, id int64, status string, at time.Time) error {
	return w.changeStatus(ctx, "end collaboration", `
		UPDATE collaborators SET status = ?, ended_at = ?
		WHERE id = ? AND status IN ('pending', 'accepted')`, status, micros(at), id)
}

// TransferOwnership makes the accepted row toID the owner's row of the database and the
// owner's row an accepted one, and points the database at its new owner. Every other row
// stays as it is.
func (w WriteTx) TransferOwnership(ctx context.Context, databaseID string, toID int64, at time.Time) error {
	if err := w.changeStatus(ctx, "transfer ownership", `
		UPDATE collaborators SET status = 'accepted', accepted_at = coalesce(accepted_at, ?)
		WHERE database_id = ? AND status = 'owner'`, micros(at), databaseID); err != nil {
		return err
	}
	if err := w.changeStatus(ctx, "transfer ownership", `
		UPDATE collaborators SET status = 'owner'
		WHERE id = ? AND database_id = ? AND status = 'accepted'`, toID, databaseID); err != nil {
		return err
	}
	return w.changeStatus(ctx, "transfer ownership", `
		UPDATE databases SET owner_id = (SELECT user_id FROM collaborators WHERE id = ?)
		WHERE id = ?`, toID, databaseID)
}

// CancelInvitationsBy ends, as revoked, the pending invitations inviterID sent to a
// database, and returns their addresses in invitation order.
func (w WriteTx) CancelInvitationsBy(ctx context.Context, databaseID string, inviterID int64, at time.Time) ([]string, error) {
	rows, err := w.tx.QueryContext(ctx, `
		UPDATE collaborators SET status = 'revoked', ended_at = ?
		WHERE database_id = ? AND invited_by = ? AND status = 'pending'
		RETURNING id, email`, micros(at), databaseID, inviterID)
	if err != nil {
		return nil, fmt.Errorf("store: cancel invitations: %w", err)
	}
	defer rows.Close()
	type cancelled struct {
		id    int64
		email string
	}
	var list []cancelled
	for rows.Next() {
		var m cancelled
		if err := rows.Scan(&m.id, &m.email); err != nil {
			return nil, fmt.Errorf("store: cancel invitations: %w", err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cancel invitations: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(list, func(a, b cancelled) int { return cmp.Compare(a.id, b.id) })
	emails := make([]string, len(list))
	for i, m := range list {
		emails[i] = m.email
	}
	return emails, nil
}

// changeStatus runs an UPDATE that must change exactly one row.
func (w WriteTx) changeStatus(ctx context.Context, what, query string, args ...any) error {
	res, err := w.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n != 1 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullMicros(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: micros(t), Valid: !t.IsZero()}
}
