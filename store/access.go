package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Access role states: see migration 014. A role whose removal has reached PostgreSQL
// has no row.
const (
	AccessGranting = "granting"
	AccessActive   = "active"
	AccessRevoking = "revoking"
)

// AccessDatabase is the PostgreSQL side of a dbcollab database: its name there and the
// NOLOGIN group role that owns it and everything its members create.
type AccessDatabase struct {
	DatabaseID string
	PgName     string
	GroupRole  string
	CreatedAt  time.Time
}

// AccessRole is one member's LOGIN role on one database, as the store wants it.
type AccessRole struct {
	ID         int64
	DatabaseID string
	UserID     int64
	RoleName   string
	State      string
	// Verifier is the SCRAM-SHA-256 verifier of the role's password.
	Verifier  string
	Attempts  int
	LastError string
	CreatedAt time.Time
	// Filled by the queries that join them.
	Email     string
	PgName    string
	GroupRole string
}

// InsertAccessDatabase records that database d lives on the PostgreSQL server.
func (w WriteTx) InsertAccessDatabase(ctx context.Context, d AccessDatabase) error {
	_, err := w.tx.ExecContext(ctx,
		`INSERT INTO access_databases (database_id, pg_name, group_role, created_at) VALUES (?, ?, ?, ?)`,
		d.DatabaseID, d.PgName, d.GroupRole, micros(d.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: insert access database: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: insert access database: %w", err)
	}
	return nil
}

const accessDatabaseColumns = `database_id, pg_name, group_role, created_at`

func scanAccessDatabase(row interface{ Scan(...any) error }) (AccessDatabase, error) {
	var d AccessDatabase
	var created int64
	err := row.Scan(&d.DatabaseID, &d.PgName, &d.GroupRole, &created)
	d.CreatedAt = fromMicros(created)
	return d, err
}

// AccessDatabase returns the PostgreSQL side of database id, or ErrNotFound when it has none.
func (c Conn) AccessDatabase(ctx context.Context, databaseID string) (AccessDatabase, error) {
	d, err := scanAccessDatabase(c.q.QueryRowContext(ctx,
		`SELECT `+accessDatabaseColumns+` FROM access_databases WHERE database_id = ?`, databaseID))
	if err != nil {
		return AccessDatabase{}, notFound("access database", err)
	}
	return d, nil
}

// AccessDatabases lists every database that lives on the PostgreSQL server.
func (c Conn) AccessDatabases(ctx context.Context) ([]AccessDatabase, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT `+accessDatabaseColumns+` FROM access_databases ORDER BY pg_name`)
	if err != nil {
		return nil, fmt.Errorf("store: access databases: %w", err)
	}
	defer rows.Close()
	var list []AccessDatabase
	for rows.Next() {
		d, err := scanAccessDatabase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: access databases: %w", err)
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// InsertAccessRole records role r, in state granting.
func (w WriteTx) InsertAccessRole(ctx context.Context, r *AccessRole) error {
	err := w.tx.QueryRowContext(ctx, `
		INSERT INTO access_roles (database_id, user_id, role_name, state, verifier, created_at)
		VALUES (?, ?, ?, 'granting', ?, ?) RETURNING id`,
		r.DatabaseID, r.UserID, r.RoleName, r.Verifier, micros(r.CreatedAt)).Scan(&r.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: insert access role: %w", ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("store: insert access role: %w", err)
	}
	r.State = AccessGranting
	return nil
}

// A role whose account was deleted has no user (0) and keeps the address (migration 021).
const accessRoleColumns = `r.id, r.database_id, COALESCE(r.user_id, 0), r.role_name, r.state, r.verifier, r.attempts,
	r.last_error, r.created_at, COALESCE(u.email, r.email), a.pg_name, a.group_role`

const accessRoleFrom = ` FROM access_roles r LEFT JOIN users u ON u.id = r.user_id
	JOIN access_databases a ON a.database_id = r.database_id`

func scanAccessRole(row interface{ Scan(...any) error }) (AccessRole, error) {
	var r AccessRole
	var created int64
	err := row.Scan(&r.ID, &r.DatabaseID, &r.UserID, &r.RoleName, &r.State, &r.Verifier, &r.Attempts,
		&r.LastError, &created, &r.Email, &r.PgName, &r.GroupRole)
	r.CreatedAt = fromMicros(created)
	return r, err
}

// AccessRoleByName returns the role named name, or ErrNotFound once it is gone.
func (c Conn) AccessRoleByName(ctx context.Context, name string) (AccessRole, error) {
	r, err := scanAccessRole(c.q.QueryRowContext(ctx, `SELECT `+accessRoleColumns+accessRoleFrom+` WHERE r.role_name = ?`, name))
	if err != nil {
		return AccessRole{}, notFound("access role", err)
	}
	return r, nil
}

// LiveAccessRole returns userID's role on database id that is being granted or is
// active, or ErrNotFound.
func (c Conn) LiveAccessRole(ctx context.Context, databaseID string, userID int64) (AccessRole, error) {
	r, err := scanAccessRole(c.q.QueryRowContext(ctx, `SELECT `+accessRoleColumns+accessRoleFrom+`
		WHERE r.database_id = ? AND r.user_id = ? AND r.state IN ('granting', 'active')`, databaseID, userID))
	if err != nil {
		return AccessRole{}, notFound("access role", err)
	}
	return r, nil
}

// AccessRolesShown lists, oldest first, the roles of database id being revoked and the
// live (granting or active) roles of userIDs: what a page showing those members needs,
// read through indexes, however many members the database has.
func (c Conn) AccessRolesShown(ctx context.Context, databaseID string, userIDs []int64) ([]AccessRole, error) {
	if userIDs == nil {
		userIDs = []int64{} // [], not null
	}
	ids, err := json.Marshal(userIDs)
	if err != nil {
		return nil, err
	}
	return c.accessRoles(ctx, "access roles shown", accessRolesShown.of(c), databaseID, databaseID, string(ids))
}

// The elements of a JSON array given as an argument: json_each is SQLite's.
var accessRolesShown = perDialect{
	sqlite:   accessRolesShownOf(`SELECT value FROM json_each(?)`),
	postgres: accessRolesShownOf(`SELECT value::bigint FROM json_array_elements_text(?::json)`),
}

func accessRolesShownOf(userIDs string) string {
	return `SELECT ` + accessRoleColumns + accessRoleFrom + `
	WHERE r.database_id = ? AND r.state = 'revoking'
	UNION ALL
	SELECT ` + accessRoleColumns + accessRoleFrom + `
	WHERE r.database_id = ? AND r.state IN ('granting', 'active') AND r.user_id IN (` + userIDs + `)
	ORDER BY 1`
}

// AccessRolesNamed lists the roles of database id among names (such as the roles with
// sessions open now), oldest first.
func (c Conn) AccessRolesNamed(ctx context.Context, databaseID string, names []string) ([]AccessRole, error) {
	if names == nil {
		names = []string{} // [], not null
	}
	list, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	return c.accessRoles(ctx, "access roles named", accessRolesNamed.of(c), string(list), databaseID)
}

var accessRolesNamed = perDialect{
	sqlite:   accessRolesNamedOf(`SELECT value FROM json_each(?)`),
	postgres: accessRolesNamedOf(`SELECT value FROM json_array_elements_text(?::json)`),
}

func accessRolesNamedOf(names string) string {
	return `SELECT ` + accessRoleColumns + accessRoleFrom + `
	WHERE r.role_name IN (` + names + `) AND r.database_id = ? ORDER BY r.id`
}

func (c Conn) accessRoles(ctx context.Context, what, query string, args ...any) ([]AccessRole, error) {
	rows, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var list []AccessRole
	for rows.Next() {
		r, err := scanAccessRole(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// AccessRoles lists the roles of database id (every database when id is empty), oldest first.
func (c Conn) AccessRoles(ctx context.Context, databaseID string) ([]AccessRole, error) {
	return c.accessRoles(ctx, "access roles", `SELECT `+accessRoleColumns+accessRoleFrom+`
		WHERE ? = '' OR r.database_id = ? ORDER BY r.id`, databaseID, databaseID)
}

// SetAccessRoleState moves role name to state, clearing its failures.
func (w WriteTx) SetAccessRoleState(ctx context.Context, name, state string) error {
	return w.changeStatus(ctx, "set access role state",
		`UPDATE access_roles SET state = ?, attempts = 0, last_error = '' WHERE role_name = ?`, state, name)
}

// RecordAccessRoleFailure records a failed attempt at applying role name.
func (w WriteTx) RecordAccessRoleFailure(ctx context.Context, name, reason string) error {
	_, err := w.tx.ExecContext(ctx,
		`UPDATE access_roles SET attempts = attempts + 1, last_error = ? WHERE role_name = ?`, reason, name)
	if err != nil {
		return fmt.Errorf("store: record access role failure: %w", err)
	}
	return nil
}

// SetAccessRoleVerifier replaces the verifier of role name.
func (w WriteTx) SetAccessRoleVerifier(ctx context.Context, name, verifier string) error {
	return w.changeStatus(ctx, "set access role verifier",
		`UPDATE access_roles SET verifier = ? WHERE role_name = ?`, verifier, name)
}

// DeleteAccessRole forgets role name, once it is gone from the server.
func (w WriteTx) DeleteAccessRole(ctx context.Context, name string) error {
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM access_roles WHERE role_name = ?`, name); err != nil {
		return fmt.Errorf("store: delete access role: %w", err)
	}
	return nil
}
