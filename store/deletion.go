package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteUser deletes the account u, which must own no database and have no live row but
// pending invitations addressed to it, which stay. Its API tokens go with it (ON DELETE
// CASCADE); the events it did keep its address, and its ended rows and the access roles
// still being revoked their own.
func (w WriteTx) DeleteUser(ctx context.Context, u User, at time.Time) error {
	// Each step takes the arguments it names: PostgreSQL refuses one it is given unused.
	for _, step := range []struct {
		what, query string
		args        []any
	}{
		{"keep the address on events", `UPDATE events SET actor_email = ?, actor_id = NULL WHERE actor_id = ?`, []any{u.Email, u.ID}},
		{"unlink ended rows", `UPDATE collaborators SET user_id = NULL WHERE user_id = ? AND status IN ('revoked', 'left')`, []any{u.ID}},
		{"unlink invitations sent", `UPDATE collaborators SET invited_by = NULL WHERE invited_by = ?`, []any{u.ID}},
		// Its logins being revoked outlive it, listed by address until they are gone.
		{"keep the address on access roles", `UPDATE access_roles SET email = ? WHERE user_id = ?`, []any{u.Email, u.ID}},
		{"retire the id", `INSERT INTO deleted_users (id, deleted_at) VALUES (?, ?)`, []any{u.ID, micros(at)}},
	} {
		if _, err := w.tx.ExecContext(ctx, step.query, step.args...); err != nil {
			return fmt.Errorf("store: delete user: %s: %w", step.what, err)
		}
	}
	return w.changeStatus(ctx, "delete user", `DELETE FROM users WHERE id = ?`, u.ID)
}

// DeleteDatabase deletes the database id with its rows and events; the links of its
// invitations are remembered as those of a deleted database.
func (w WriteTx) DeleteDatabase(ctx context.Context, id string, at time.Time) error {
	for _, step := range []struct {
		what, query string
		args        []any
	}{
		// The CASTs: PostgreSQL types a bare placeholder in a UNION as text.
		{"remember links", `INSERT INTO deleted_database_links (token_hash, database_name, deleted_at)
			SELECT m.token_hash, d.name, CAST(?2 AS BIGINT) FROM collaborators m JOIN databases d ON d.id = m.database_id
			WHERE m.database_id = ?1 AND m.token_hash IS NOT NULL
			UNION ALL
			SELECT r.token_hash, d.name, CAST(?2 AS BIGINT) FROM replaced_tokens r
			JOIN collaborators m ON m.id = r.collaborator_id JOIN databases d ON d.id = m.database_id
			WHERE m.database_id = ?1`, []any{id, micros(at)}},
		{"forget replaced links", `DELETE FROM replaced_tokens
			WHERE collaborator_id IN (SELECT id FROM collaborators WHERE database_id = ?)`, []any{id}},
	} {
		if _, err := w.tx.ExecContext(ctx, step.query, step.args...); err != nil {
			return fmt.Errorf("store: delete database: %s: %w", step.what, err)
		}
	}
	return w.changeStatus(ctx, "delete database", `DELETE FROM databases WHERE id = ?`, id)
}

// DatabaseNameOfDeletedLink returns the name of the deleted database an invitation link
// hashing to h was for.
func (c Conn) DatabaseNameOfDeletedLink(ctx context.Context, h []byte) (string, error) {
	var name string
	err := c.q.QueryRowContext(ctx, `SELECT database_name FROM deleted_database_links WHERE token_hash = ?`, h).Scan(&name)
	if err != nil {
		return "", notFound("deleted database by link", err)
	}
	return name, nil
}
