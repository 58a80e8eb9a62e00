package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a signed-in browser. Only the hash of the random ID its cookie holds is
// stored.
type Session struct {
	ID         int64
	UserID     int64
	TokenHash  []byte
	Device     string
	ClientAddr string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// InsertSession inserts s and sets its ID.
func (w WriteTx) InsertSession(ctx context.Context, s *Session) error {
	err := w.tx.QueryRowContext(ctx, `INSERT INTO sessions (user_id, token_hash, device, client_addr, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, s.UserID, s.TokenHash, s.Device, s.ClientAddr, micros(s.CreatedAt), micros(s.LastSeenAt)).Scan(&s.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: insert session: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: insert session: %w", err)
	}
	return nil
}

const sessionColumns = `s.id, s.user_id, s.token_hash, s.device, s.client_addr, s.created_at, s.last_seen_at`

func scanSession(row interface{ Scan(...any) error }, more ...any) (Session, error) {
	var s Session
	var created, seen int64
	err := row.Scan(append([]any{&s.ID, &s.UserID, &s.TokenHash, &s.Device, &s.ClientAddr, &created, &seen}, more...)...)
	s.CreatedAt, s.LastSeenAt = fromMicros(created), fromMicros(seen)
	return s, err
}

// SessionByHash returns the session whose ID hashes to h, with its user: one query, as
// every signed-in request makes it.
func (c Conn) SessionByHash(ctx context.Context, h []byte) (Session, User, error) {
	var u userDest
	s, err := scanSession(c.q.QueryRowContext(ctx, `SELECT `+sessionColumns+`,
			u.id, u.email, u.username, u.password_hash, u.created_at, u.verified_at, u.confirm_hash, u.confirm_sent_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, h), u.fields()...)
	if err != nil {
		return Session{}, User{}, notFound("session by hash", err)
	}
	return s, u.user(), nil
}

// sessionInDatabaseColumns are what SessionInDatabase reads: the session, its user, and
// the database if the user is a member of it (empty otherwise).
const sessionInDatabaseColumns = sessionColumns + `,
			u.id, u.email, u.username, u.password_hash, u.created_at, u.verified_at, u.confirm_hash, u.confirm_sent_at,
			coalesce(d.id, ''), coalesce(d.name, ''), coalesce(d.plan, ''), coalesce(d.owner_id, 0), coalesce(d.created_at, 0),
			coalesce(d.version, 0), coalesce(o.email, ''), coalesce(o.username, '')`

// sessionInDatabaseQuery is SessionInDatabase's alone, with the arguments ref, ref and
// the session's hash. The membership is looked for among the user's rows (the
// collaborators_user index), so that its cost does not grow with the database's rows.
const sessionInDatabaseQuery = `SELECT ` + sessionInDatabaseColumns + `
		FROM sessions s
		JOIN users u ON u.id = s.user_id
		LEFT JOIN collaborators m ON m.user_id = s.user_id AND m.status IN ('owner', 'accepted')
			AND m.database_id IN (SELECT id FROM databases WHERE id = ? OR name = ?)
		LEFT JOIN databases d ON d.id = m.database_id
		LEFT JOIN users o ON o.id = d.owner_id
		WHERE s.token_hash = ?`

// SessionInDatabase is SessionByHash with, read by the same query, the database named
// ref if the session's user may see it (DatabaseForMember); member is false if not.
// A signed-in page of a database makes these two reads first: one round trip, not two.
// On PostgreSQL, outside a transaction, the reads of concurrent requests share one
// query (sessionReads).
func (c Conn) SessionInDatabase(ctx context.Context, h []byte, ref string) (s Session, u User, d Database, member bool, err error) {
	if c.unnameable(ref) {
		s, u, err = c.SessionByHash(ctx, h)
		return s, u, Database{}, false, err
	}
	if p, ok := c.q.(pooled); ok && c.pg {
		countStatement(ctx)
		a := p.s.sessionReads.read(ctx, p.s, h, ref)
		return a.session, a.user, a.database, a.member, a.err
	}
	var in sessionInDatabase
	in.session, in.err = scanSession(c.q.QueryRowContext(ctx, sessionInDatabaseQuery, ref, ref, h), in.fields()...)
	in.scanned()
	return in.session, in.user, in.database, in.member, in.err
}

// sessionInDatabase is one answer of SessionInDatabase, as it is scanned.
type sessionInDatabase struct {
	session  Session
	user     User
	database Database
	member   bool
	err      error
	u        userDest
	d        databaseDest
}

// fields are the destinations of sessionInDatabaseColumns after the session's.
func (a *sessionInDatabase) fields() []any { return append(a.u.fields(), a.d.fields()...) }

// scanned completes the answer once its row is scanned into fields, or err set.
func (a *sessionInDatabase) scanned() {
	if a.err != nil {
		*a = sessionInDatabase{err: notFound("session in database", a.err)}
		return
	}
	a.user = a.u.user()
	if a.member = a.d.d.ID != ""; a.member {
		a.database = a.d.database()
	}
}

// SessionsForUser lists userID's sessions, the most recently seen first.
func (c Conn) SessionsForUser(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = ? ORDER BY s.last_seen_at DESC, s.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: sessions for user: %w", err)
	}
	defer rows.Close()
	var list []Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sessions for user: %w", err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sessions for user: %w", err)
	}
	return list, nil
}

// TouchSession records that session id was seen at at. A session ended in the meantime
// is no error: there is nothing left to record.
func (w WriteTx) TouchSession(ctx context.Context, id int64, at time.Time) error {
	if _, err := w.tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, micros(at), id); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes userID's session id; someone else's, or one already deleted,
// gives ErrNotFound.
func (w WriteTx) DeleteSession(ctx context.Context, userID, id int64) error {
	return w.changeStatus(ctx, "delete session", `DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, userID)
}

// DeleteSessionByHash deletes the session whose ID hashes to h, if there is one.
func (w WriteTx) DeleteSessionByHash(ctx context.Context, h []byte) error {
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h); err != nil {
		return fmt.Errorf("store: delete session by hash: %w", err)
	}
	return nil
}

// DeleteOtherSessions deletes every session of userID but keepID (0: all of them), and
// says how many there were.
func (w WriteTx) DeleteOtherSessions(ctx context.Context, userID, keepID int64) (int64, error) {
	res, err := w.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID)
	if err != nil {
		return 0, fmt.Errorf("store: delete other sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteIdleSessions deletes userID's sessions last seen before cutoff.
func (w WriteTx) DeleteIdleSessions(ctx context.Context, userID int64, cutoff time.Time) (int64, error) {
	res, err := w.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND last_seen_at < ?`, userID, micros(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: delete idle sessions: %w", err)
	}
	return res.RowsAffected()
}
