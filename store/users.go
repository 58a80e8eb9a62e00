package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// User is an account.
type User struct {
	ID           int64
	Email        string
	Username     string
	PasswordHash string
	CreatedAt    time.Time
	// VerifiedAt is when the address was confirmed; zero while it is not, and the
	// account can then neither log in nor accept an invitation.
	VerifiedAt time.Time
	// ConfirmHash is the SHA-256 of the current confirmation link's secret, e-mailed at
	// ConfirmSentAt; nil once confirmed.
	ConfirmHash   []byte
	ConfirmSentAt time.Time
}

// CreateUser inserts u and sets its ID, never one a deleted account had. A taken e-mail
// or username gives ErrDuplicate.
func (w WriteTx) CreateUser(ctx context.Context, u *User) error {
	err := w.tx.QueryRowContext(ctx,
		`INSERT INTO users (id, email, username, password_hash, created_at, verified_at, confirm_hash, confirm_sent_at)
		VALUES ((SELECT 1 + coalesce(max(id), 0) FROM (SELECT max(id) AS id FROM users UNION ALL SELECT max(id) FROM deleted_users) ids),
			?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Username, u.PasswordHash, micros(u.CreatedAt), nullMicros(u.VerifiedAt), u.ConfirmHash, nullMicros(u.ConfirmSentAt)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: create user: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

const userColumns = `id, email, username, password_hash, created_at, verified_at, confirm_hash, confirm_sent_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u userDest
	err := row.Scan(u.fields()...)
	return u.user(), err
}

// userDest receives a user's userColumns, read with other columns by a query that
// joins users.
type userDest struct {
	u                     User
	created               int64
	verified, confirmSent sql.NullInt64
}

func (d *userDest) fields() []any {
	return []any{&d.u.ID, &d.u.Email, &d.u.Username, &d.u.PasswordHash, &d.created, &d.verified, &d.u.ConfirmHash, &d.confirmSent}
}

// user is the user scanned.
func (d *userDest) user() User {
	d.u.CreatedAt, d.u.VerifiedAt, d.u.ConfirmSentAt = fromMicros(d.created), fromNullMicros(d.verified), fromNullMicros(d.confirmSent)
	return d.u
}

// UserByID returns the user with that ID.
func (c Conn) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(c.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, notFound("user by id", err)
	}
	return u, nil
}

// UserByEmail returns the user with that (normalised) e-mail address.
func (c Conn) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(c.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if err != nil {
		return User{}, notFound("user by email", err)
	}
	return u, nil
}

// UserByConfirmHash returns the unconfirmed user whose confirmation link hashes to h.
func (c Conn) UserByConfirmHash(ctx context.Context, h []byte) (User, error) {
	u, err := scanUser(c.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE confirm_hash = ? AND verified_at IS NULL`, h))
	if err != nil {
		return User{}, notFound("user by confirmation", err)
	}
	return u, nil
}

// RedoSignup gives the unconfirmed account u.ID the username, password, confirmation
// link and verification of u: a newer sign-up with the same address replaces it.
func (w WriteTx) RedoSignup(ctx context.Context, u User) error {
	return w.changeStatus(ctx, "redo sign-up", `
		UPDATE users SET username = ?, password_hash = ?, verified_at = ?, confirm_hash = ?, confirm_sent_at = ?
		WHERE id = ? AND verified_at IS NULL`,
		u.Username, u.PasswordHash, nullMicros(u.VerifiedAt), u.ConfirmHash, nullMicros(u.ConfirmSentAt), u.ID)
}

// SetConfirmation replaces the confirmation link of the unconfirmed account id.
func (w WriteTx) SetConfirmation(ctx context.Context, id int64, h []byte, sentAt time.Time) error {
	return w.changeStatus(ctx, "set confirmation", `
		UPDATE users SET confirm_hash = ?, confirm_sent_at = ? WHERE id = ? AND verified_at IS NULL`, h, micros(sentAt), id)
}

// ConfirmUser marks the account id verified at at, if its confirmation link hashes to
// h; the link cannot be used again.
func (w WriteTx) ConfirmUser(ctx context.Context, id int64, h []byte, at time.Time) error {
	return w.changeStatus(ctx, "confirm user", `
		UPDATE users SET verified_at = ?, confirm_hash = NULL
		WHERE id = ? AND confirm_hash = ? AND verified_at IS NULL`, micros(at), id, h)
}

// UsernameTaken reports whether a user other than exceptID already has that username
// (case-insensitively).
func (c Conn) UsernameTaken(ctx context.Context, username string, exceptID int64) (bool, error) {
	var n int
	err := c.q.QueryRowContext(ctx, usernameTaken.of(c), username, exceptID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: username taken: %w", err)
	}
	return n > 0, nil
}

var usernameTaken = perDialect{
	sqlite:   `SELECT count(*) FROM users WHERE username = ? AND id <> ?`,               // COLLATE NOCASE
	postgres: `SELECT count(*) FROM users WHERE lower(username) = lower(?) AND id <> ?`, // index users_username
}

// CountUsers counts the accounts.
func (c Conn) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := c.q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}
