package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Database is a dedicated PostgreSQL database registered on the dashboard.
type Database struct {
	ID        string
	Name      string
	Plan      string
	OwnerID   int64
	CreatedAt time.Time
	// Version moves with every change its Collaborators tab shows, in the transaction of
	// the change (migration 004's triggers).
	Version int64
	// Owner is filled by the queries that join it: ID, e-mail and username.
	Owner User
}

// CreateDatabase inserts d. A taken name or ID gives ErrDuplicate.
func (w WriteTx) CreateDatabase(ctx context.Context, d Database) error {
	_, err := w.tx.ExecContext(ctx,
		`INSERT INTO databases (id, name, plan, owner_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.ID, d.Name, d.Plan, d.OwnerID, micros(d.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: create database: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: create database: %w", err)
	}
	return nil
}

// databaseColumns name the owner by e-mail and username only: every page of a database
// reads them, and each column costs its read (README, Performance).
const databaseColumns = `d.id, d.name, d.plan, d.owner_id, d.created_at, d.version, o.email, o.username`

func scanDatabase(row interface{ Scan(...any) error }) (Database, error) {
	var d databaseDest
	err := row.Scan(d.fields()...)
	return d.database(), err
}

// databaseDest receives a database's databaseColumns, read with other columns.
type databaseDest struct {
	d       Database
	created int64
}

func (x *databaseDest) fields() []any {
	return []any{&x.d.ID, &x.d.Name, &x.d.Plan, &x.d.OwnerID, &x.created, &x.d.Version, &x.d.Owner.Email, &x.d.Owner.Username}
}

// database is the database scanned.
func (x *databaseDest) database() Database {
	x.d.CreatedAt, x.d.Owner.ID = fromMicros(x.created), x.d.OwnerID
	return x.d
}

// DatabaseForMember returns the database named ref (its name or its ID) if userID is its
// owner or an accepted collaborator, and ErrNotFound otherwise: a database someone may
// not see does not exist for them.
func (c Conn) DatabaseForMember(ctx context.Context, ref string, userID int64) (Database, error) {
	if c.unnameable(ref) {
		return Database{}, fmt.Errorf("store: database for member: %w", ErrNotFound)
	}
	d, err := scanDatabase(c.q.QueryRowContext(ctx, `
		SELECT `+databaseColumns+`
		FROM databases d
		JOIN users o ON o.id = d.owner_id
		JOIN collaborators m ON m.database_id = d.id
		WHERE (d.id = ? OR d.name = ?) AND m.user_id = ? AND m.status IN ('owner', 'accepted')`,
		ref, ref, userID))
	if err != nil {
		return Database{}, notFound("database for member", err)
	}
	return d, nil
}

// unnameable says that ref names no database and must not reach the query: PostgreSQL
// refuses such text as an argument.
func (c Conn) unnameable(ref string) bool {
	return c.pg && (!utf8.ValidString(ref) || strings.ContainsRune(ref, 0))
}

// DatabaseByID returns the database with that ID, whoever asks.
func (c Conn) DatabaseByID(ctx context.Context, id string) (Database, error) {
	d, err := scanDatabase(c.q.QueryRowContext(ctx, `
		SELECT `+databaseColumns+`
		FROM databases d JOIN users o ON o.id = d.owner_id
		WHERE d.id = ?`, id))
	if err != nil {
		return Database{}, notFound("database by id", err)
	}
	return d, nil
}

// DatabasesForMember lists the databases userID owns or collaborates on, by name.
func (c Conn) DatabasesForMember(ctx context.Context, userID int64) ([]Database, error) {
	rows, err := c.q.QueryContext(ctx, `
		SELECT `+databaseColumns+`
		FROM databases d
		JOIN users o ON o.id = d.owner_id
		JOIN collaborators m ON m.database_id = d.id
		WHERE m.user_id = ? AND m.status IN ('owner', 'accepted')
		ORDER BY d.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: databases for member: %w", err)
	}
	defer rows.Close()
	var list []Database
	for rows.Next() {
		d, err := scanDatabase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: databases for member: %w", err)
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: databases for member: %w", err)
	}
	return list, nil
}
