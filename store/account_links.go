package store

import (
	"context"
	"fmt"
	"time"
)

// PasswordReset is an open password reset link: only the hash of its secret is stored.
type PasswordReset struct {
	UserID    int64
	TokenHash []byte
	CreatedAt time.Time
}

// PutPasswordReset stores r as its account's one open reset link, replacing any other.
// An account that does not exist gives ErrNotFound, after the same reads, and the
// transaction can go on (on PostgreSQL, a failed foreign key would end it).
func (w WriteTx) PutPasswordReset(ctx context.Context, r PasswordReset) error {
	return w.changeStatus(ctx, "put password reset", `INSERT INTO password_resets (user_id, token_hash, created_at)
		SELECT id, ?, CAST(? AS BIGINT) FROM users WHERE id = ?
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		r.TokenHash, micros(r.CreatedAt), r.UserID)
}

// PasswordResetByHash returns the open reset link whose secret hashes to h.
func (c Conn) PasswordResetByHash(ctx context.Context, h []byte) (PasswordReset, error) {
	r := PasswordReset{TokenHash: h}
	var created int64
	err := c.q.QueryRowContext(ctx, `SELECT user_id, created_at FROM password_resets WHERE token_hash = ?`, h).Scan(&r.UserID, &created)
	if err != nil {
		return PasswordReset{}, notFound("password reset by hash", err)
	}
	r.CreatedAt = fromMicros(created)
	return r, nil
}

// UsePasswordReset deletes the reset link whose secret hashes to h: it cannot be used
// again. One already used gives ErrNotFound.
func (w WriteTx) UsePasswordReset(ctx context.Context, h []byte) error {
	return w.changeStatus(ctx, "use password reset", `DELETE FROM password_resets WHERE token_hash = ?`, h)
}

// SetPassword replaces the password hash of account id.
func (w WriteTx) SetPassword(ctx context.Context, id int64, hash string) error {
	return w.changeStatus(ctx, "set password", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
}

// EmailChange is an address an account asked to move to, waiting for the confirmation
// link e-mailed there; only the hash of its secret is stored.
type EmailChange struct {
	UserID    int64
	NewEmail  string
	TokenHash []byte
	CreatedAt time.Time
}

// PutEmailChange stores ch as its account's one pending change, replacing any other.
func (w WriteTx) PutEmailChange(ctx context.Context, ch EmailChange) error {
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO email_changes (user_id, new_email, token_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET new_email = excluded.new_email, token_hash = excluded.token_hash, created_at = excluded.created_at`,
		ch.UserID, ch.NewEmail, ch.TokenHash, micros(ch.CreatedAt)); err != nil {
		return fmt.Errorf("store: put email change: %w", err)
	}
	return nil
}

// EmailChangeByHash returns the pending change whose link's secret hashes to h.
func (c Conn) EmailChangeByHash(ctx context.Context, h []byte) (EmailChange, error) {
	ch := EmailChange{TokenHash: h}
	var created int64
	err := c.q.QueryRowContext(ctx, `SELECT user_id, new_email, created_at FROM email_changes WHERE token_hash = ?`, h).
		Scan(&ch.UserID, &ch.NewEmail, &created)
	if err != nil {
		return EmailChange{}, notFound("email change by hash", err)
	}
	ch.CreatedAt = fromMicros(created)
	return ch, nil
}

// ChangeEmail moves account id to the address of its pending change whose link hashes
// to h, and deletes that change: the link cannot be used again. An address another
// account took in the meantime gives ErrDuplicate.
func (w WriteTx) ChangeEmail(ctx context.Context, id int64, h []byte, email string) error {
	if err := w.changeStatus(ctx, "use email change", `DELETE FROM email_changes WHERE user_id = ? AND token_hash = ?`, id, h); err != nil {
		return err
	}
	_, err := w.tx.ExecContext(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, id)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: change email: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: change email: %w", err)
	}
	return nil
}
