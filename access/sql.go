package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"dbcollab/service"
	"dbcollab/store"
)

// The SQL of each event. Names are quoted identifiers; CREATE ROLE and friends take no
// bind parameters, so the one literal, a password verifier, is quoted as a literal.

// errNotOurs refuses to touch a role or database that carries no mark of this instance.
var errNotOurs = errors.New("exists on the PostgreSQL server but was not made by this dbcollab: left alone")

// roleMark returns the mark on role name, and whether the role exists.
func (s *Server) roleMark(ctx context.Context, q querier, name string) (string, bool, error) {
	var mark *string
	err := q.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1`, name).Scan(&mark)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if mark == nil {
		return "", true, nil
	}
	return *mark, true, nil
}

// databaseMark returns the mark on database name, and whether it exists.
func (s *Server) databaseMark(ctx context.Context, q querier, name string) (string, bool, error) {
	var mark *string
	err := q.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&mark)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if mark == nil {
		return "", true, nil
	}
	return *mark, true, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CreateDatabase creates d's NOLOGIN group role and d owned by it, only the group
// allowed to connect: service.ErrPostgresNameTaken if a database has the name already.
func (s *Server) CreateDatabase(ctx context.Context, d store.AccessDatabase) error {
	_, exists, err := s.databaseMark(ctx, s.pool, d.PgName)
	if err != nil {
		return s.unavailable("create database", err)
	}
	if exists {
		return service.ErrPostgresNameTaken
	}
	err = s.ensureDatabase(ctx, d)
	if pgCode(err) == "42P04" { // duplicate_database: taken in the meantime
		return service.ErrPostgresNameTaken
	}
	if err != nil {
		return s.unavailable("create database", err)
	}
	return nil
}

// ensureDatabase makes d exist as CreateDatabase does, and does nothing that is done.
//
//	CREATE ROLE g NOLOGIN; COMMENT ON ROLE g IS 'dbcollab <instance> group'
//	CREATE DATABASE d OWNER g; COMMENT ON DATABASE d IS 'dbcollab <instance> database'
//	REVOKE ALL ON DATABASE d FROM PUBLIC; GRANT CONNECT, TEMP ON DATABASE d TO g
func (s *Server) ensureDatabase(ctx context.Context, d store.AccessDatabase) error {
	mark, exists, err := s.roleMark(ctx, s.pool, d.GroupRole)
	if err != nil {
		return err
	}
	if exists && mark != s.mark(markGroup) {
		return fmt.Errorf("role %s %w", d.GroupRole, errNotOurs)
	}
	if !exists {
		sql := fmt.Sprintf(`CREATE ROLE %s NOLOGIN; COMMENT ON ROLE %[1]s IS %s`, ident(d.GroupRole), literal(s.mark(markGroup)))
		if !s.superuser {
			// CREATE DATABASE ... OWNER and COMMENT ON DATABASE need membership of the owner.
			sql += fmt.Sprintf(`; GRANT %s TO CURRENT_USER`, ident(d.GroupRole))
		}
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			return err
		}
	}
	mark, exists, err = s.databaseMark(ctx, s.pool, d.PgName)
	if err != nil {
		return err
	}
	if exists && mark != s.mark(markDatabase) {
		return fmt.Errorf("database %s %w", d.PgName, errNotOurs)
	}
	if !exists {
		// CREATE DATABASE cannot run in a transaction block: alone, then the rest.
		if _, err := s.pool.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s OWNER %s`, ident(d.PgName), ident(d.GroupRole))); err != nil {
			return err
		}
	}
	_, err = s.pool.Exec(ctx, fmt.Sprintf(`COMMENT ON DATABASE %s IS %s; REVOKE ALL ON DATABASE %[1]s FROM PUBLIC; GRANT CONNECT, TEMP ON DATABASE %[1]s TO %[3]s`,
		ident(d.PgName), literal(s.mark(markDatabase)), ident(d.GroupRole)))
	return err
}

// DropDatabase drops database d with every role on it (see dropDatabase).
func (s *Server) DropDatabase(ctx context.Context, d store.AccessDatabase) error {
	if err := s.dropDatabase(ctx, d.PgName, d.GroupRole); err != nil {
		return s.unavailable("drop database", err)
	}
	return nil
}

// dropDatabase ends every session on database name and drops it, then the member
// roles of group and group itself; only what carries this instance's marks.
//
//	ALTER ROLE m NOLOGIN (each member); DROP DATABASE d WITH (FORCE); DROP ROLE m (each); DROP ROLE g
func (s *Server) dropDatabase(ctx context.Context, name, group string) error {
	mark, exists, err := s.databaseMark(ctx, s.pool, name)
	if err != nil {
		return err
	}
	if exists && mark != s.mark(markDatabase) {
		return fmt.Errorf("database %s %w", name, errNotOurs)
	}
	if group == "" && exists {
		if err := s.pool.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, name).Scan(&group); err != nil {
			return err
		}
	}
	members, err := s.markedMembersOf(ctx, group)
	if err != nil {
		return err
	}
	for _, m := range members {
		if _, err := s.pool.Exec(ctx, fmt.Sprintf(`ALTER ROLE %s NOLOGIN`, ident(m))); err != nil {
			return err
		}
	}
	if exists {
		if _, err := s.pool.Exec(ctx, fmt.Sprintf(`DROP DATABASE %s WITH (FORCE)`, ident(name))); err != nil {
			return err
		}
	}
	for _, m := range members {
		if err := s.dropRole(ctx, m, "", group); err != nil {
			return err
		}
	}
	gm, gExists, err := s.roleMark(ctx, s.pool, group)
	if err != nil || !gExists || gm != s.mark(markGroup) {
		return err
	}
	_, err = s.pool.Exec(ctx, fmt.Sprintf(`DROP ROLE %s`, ident(group)))
	return err
}

// markedMembersOf lists this instance's member roles in group.
func (s *Server) markedMembersOf(ctx context.Context, group string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT m.rolname FROM pg_auth_members am
		JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
		WHERE g.rolname = $1 AND shobj_description(m.oid, 'pg_authid') = $2`, group, s.mark(markMember))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// grant makes role r exist as the store wants it: able to log in with its verifier, in
// its database's group, its sessions acting as the group (so that what it creates
// belongs to the group, and stays when the member goes).
//
//	CREATE ROLE m LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
//	    IN ROLE g PASSWORD 'SCRAM-SHA-256$4096:…';
//	COMMENT ON ROLE m IS 'dbcollab <instance> member'; ALTER ROLE m SET role = 'g'
//
// A role that exists gets ALTER ROLE m LOGIN PASSWORD '…' and GRANT g TO m instead.
func (s *Server) grant(ctx context.Context, r store.AccessRole) error {
	mark, exists, err := s.roleMark(ctx, s.pool, r.RoleName)
	if err != nil {
		return err
	}
	if exists && mark != s.mark(markMember) {
		return fmt.Errorf("role %s %w", r.RoleName, errNotOurs)
	}
	// One simple-protocol string: one round trip, one implicit transaction.
	_, err = s.pool.Exec(ctx, s.grantSQL(r, exists))
	return err
}

// grantSQL is grant's SQL for r, a role of this instance if it exists.
func (s *Server) grantSQL(r store.AccessRole, exists bool) string {
	sql := fmt.Sprintf(`CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS IN ROLE %s PASSWORD %s`,
		ident(r.RoleName), ident(r.GroupRole), literal(r.Verifier))
	if exists {
		sql = fmt.Sprintf(`ALTER ROLE %s LOGIN PASSWORD %s; GRANT %s TO %[1]s`, ident(r.RoleName), literal(r.Verifier), ident(r.GroupRole))
	}
	return sql + fmt.Sprintf(`; COMMENT ON ROLE %s IS %s; ALTER ROLE %[1]s SET role = %[3]s;`,
		ident(r.RoleName), literal(s.mark(markMember)), literal(r.GroupRole))
}

// SetVerifier gives role a new password verifier: the old password stops working.
func (s *Server) SetVerifier(ctx context.Context, role, verifier string) error {
	mark, exists, err := s.roleMark(ctx, s.pool, role)
	if err != nil {
		return s.unavailable("set password", err)
	}
	if !exists || mark != s.mark(markMember) {
		return fmt.Errorf("%w: role %s is missing", service.ErrAccessNotReady, role)
	}
	if _, err := s.pool.Exec(ctx, fmt.Sprintf(`ALTER ROLE %s PASSWORD %s`, ident(role), literal(verifier))); err != nil {
		return s.unavailable("set password", err)
	}
	return nil
}

// dropRole ends member role name's access to database (if known) and removes it.
//
//	ALTER ROLE m NOLOGIN;
//	SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'm';
//	-- in d, when m owns or was granted anything there:
//	REASSIGN OWNED BY m TO g; DROP OWNED BY m;
//	DROP ROLE m
func (s *Server) dropRole(ctx context.Context, name, database, group string) error {
	mark, exists, err := s.roleMark(ctx, s.pool, name)
	if err != nil || !exists {
		return err
	}
	if mark != s.mark(markMember) {
		return fmt.Errorf("role %s %w", name, errNotOurs)
	}
	sql := fmt.Sprintf(`ALTER ROLE %s NOLOGIN`, ident(name))
	if !s.superuser {
		// REASSIGN OWNED needs the privileges of the role given away.
		sql += fmt.Sprintf(`; GRANT %s TO CURRENT_USER`, ident(name))
	}
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		return err
	}
	if err := s.terminate(ctx, name); err != nil {
		return err
	}
	dependent, err := s.dependentDatabases(ctx, name)
	if err != nil {
		return err
	}
	for _, d := range dependent {
		if err := s.disown(ctx, d, name, group); err != nil {
			return err
		}
	}
	// A session may have started between NOLOGIN and the first termination.
	if err := s.terminate(ctx, name); err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, fmt.Sprintf(`DROP ROLE IF EXISTS %s`, ident(name)))
	return err
}

func (s *Server) terminate(ctx context.Context, role string) error {
	_, err := s.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, role)
	return err
}

// dependentDatabases lists the databases in which role owns something or was granted
// something: those in which REASSIGN and DROP OWNED must run before DROP ROLE.
func (s *Server) dependentDatabases(ctx context.Context, role string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT d.datname FROM pg_shdepend sd JOIN pg_database d ON d.oid = sd.dbid
		WHERE sd.refclassid = 'pg_authid'::regclass AND sd.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)`, role)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// disown gives what role owns in database to group (or, with no group, the database's
// owner) and drops what it was granted there, on a connection to that database.
func (s *Server) disown(ctx context.Context, database, role, group string) error {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.Database = database
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if group == "" {
		if err := conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`).Scan(&group); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, fmt.Sprintf(`REASSIGN OWNED BY %s TO %s; DROP OWNED BY %[1]s`, ident(role), ident(group)))
	return err
}

// Stats returns the size of database name and its open sessions by role.
func (s *Server) Stats(ctx context.Context, name string) (int64, map[string]int, error) {
	var size int64
	if err := s.pool.QueryRow(ctx, `SELECT pg_database_size($1)`, name).Scan(&size); err != nil {
		return 0, nil, s.unavailable("database stats", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT usename, count(*) FROM pg_stat_activity WHERE datname = $1 AND usename IS NOT NULL GROUP BY usename`, name)
	if err != nil {
		return 0, nil, s.unavailable("database stats", err)
	}
	sessions := map[string]int{}
	var role string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&role, &n}, func() error {
		sessions[role] = n
		return nil
	})
	if err != nil {
		return 0, nil, s.unavailable("database stats", err)
	}
	return size, sessions, nil
}
