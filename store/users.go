package store

import (
	"context"
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
}

// CreateUser inserts u and sets its ID. A taken e-mail or username gives ErrDuplicate.
func (w WriteTx) CreateUser(ctx context.Context, u *User) error {
	res, err := w.tx.ExecContext(ctx,
		`INSERT INTO users (email, username, password_hash, created_at) VALUES (?, ?, ?, ?)`,
		u.Email, u.Username, u.PasswordHash, micros(u.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: create user: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	u.ID, err = res.LastInsertId()
	return err
}

const userColumns = `id, email, username, password_hash, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := row.Scan(&u.ID, &u.Email, &u.Username, &u.PasswordHash, &created)
	u.CreatedAt = fromMicros(created)
	return u, err
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

// UsernameTaken reports whether a user already has that username (case-insensitively).
func (c Conn) UsernameTaken(ctx context.Context, username string) (bool, error) {
	var n int
	err := c.q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE username = ?`, username).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: username taken: %w", err)
	}
	return n > 0, nil
}

// CountUsers counts the accounts.
func (c Conn) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := c.q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}
