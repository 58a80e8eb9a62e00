package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// APIToken is a credential for the JSON API. Only the hash of its secret is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until the token is first used
	ExpiresAt  time.Time // zero for a token that never expires
	// Expired is whether ExpiresAt has passed, as the service's clock tells it when it lists tokens.
	Expired bool
	// User is filled by APITokenByHash.
	User User
}

// InsertAPIToken inserts t and sets its ID. A hash already stored gives ErrDuplicate.
func (w WriteTx) InsertAPIToken(ctx context.Context, t *APIToken) error {
	err := w.tx.QueryRowContext(ctx,
		`INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.TokenHash, micros(t.CreatedAt), nullMicros(t.ExpiresAt)).Scan(&t.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: insert api token: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: insert api token: %w", err)
	}
	return nil
}

const apiTokenColumns = `id, user_id, name, token_hash, created_at, last_used_at, expires_at`

func scanAPIToken(row interface{ Scan(...any) error }, more ...any) (APIToken, error) {
	var t APIToken
	var created int64
	var lastUsed, expires sql.NullInt64
	err := row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &lastUsed, &expires}, more...)...)
	t.CreatedAt, t.LastUsedAt, t.ExpiresAt = fromMicros(created), fromNullMicros(lastUsed), fromNullMicros(expires)
	return t, err
}

// APITokensForUser lists userID's tokens, newest first.
func (c Conn) APITokensForUser(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens
		WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: api tokens for user: %w", err)
	}
	defer rows.Close()
	var list []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: api tokens for user: %w", err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: api tokens for user: %w", err)
	}
	return list, nil
}

// APITokenByHash returns the token whose secret hashes to h, with its user.
func (c Conn) APITokenByHash(ctx context.Context, h []byte) (APIToken, error) {
	return c.apiTokenWithUser(ctx, "api token by hash", `t.token_hash = ?`, h)
}

// APITokenByID returns token id, with its user.
func (c Conn) APITokenByID(ctx context.Context, id int64) (APIToken, error) {
	return c.apiTokenWithUser(ctx, "api token by id", `t.id = ?`, id)
}

func (c Conn) apiTokenWithUser(ctx context.Context, what, where string, arg any) (APIToken, error) {
	var u User
	var userCreated int64
	t, err := scanAPIToken(c.q.QueryRowContext(ctx, `
		SELECT t.id, t.user_id, t.name, t.token_hash, t.created_at, t.last_used_at, t.expires_at,
			u.id, u.email, u.username, u.password_hash, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE `+where, arg),
		&u.ID, &u.Email, &u.Username, &u.PasswordHash, &userCreated)
	if err != nil {
		return APIToken{}, notFound(what, err)
	}
	u.CreatedAt = fromMicros(userCreated)
	t.User = u
	return t, nil
}

// TouchAPIToken records that token id was used at the given time. A token revoked in
// the meantime is no error: there is nothing left to record.
func (w WriteTx) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := w.tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, micros(at), id); err != nil {
		return fmt.Errorf("store: touch api token: %w", err)
	}
	return nil
}

// DeleteAPIToken deletes userID's token id and returns it; someone else's token, or a
// token already deleted, gives ErrNotFound.
func (w WriteTx) DeleteAPIToken(ctx context.Context, userID, id int64) (APIToken, error) {
	t, err := scanAPIToken(w.tx.QueryRowContext(ctx,
		`DELETE FROM api_tokens WHERE id = ? AND user_id = ? RETURNING `+apiTokenColumns, id, userID))
	if err != nil {
		return APIToken{}, notFound("delete api token", err)
	}
	return t, nil
}

// DeleteAPITokenByHash deletes the token whose secret hashes to h and returns it; a
// token already deleted gives ErrNotFound.
func (w WriteTx) DeleteAPITokenByHash(ctx context.Context, h []byte) (APIToken, error) {
	t, err := scanAPIToken(w.tx.QueryRowContext(ctx,
		`DELETE FROM api_tokens WHERE token_hash = ? RETURNING `+apiTokenColumns, h))
	if err != nil {
		return APIToken{}, notFound("delete api token by hash", err)
	}
	return t, nil
}
