package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"dbcollab/store"
)

// pgRole is a role of this instance as the server has it.
type pgRole struct {
	mark   string
	login  bool
	groups []string
}

// Reconcile compares what the store wants with pg_roles and pg_database and repairs
// the difference: a missing database, group or member role is made again (with the
// verifier the store keeps), a member role no member has is removed, a revocation not
// done yet is done. It only looks at what carries this instance's marks, and doing it
// twice changes nothing more. It holds the instances' lock alone: no job of another
// instance runs meanwhile.
func (s *Server) Reconcile(ctx context.Context) error {
	return s.holdingLock(ctx, false, func() error { return s.reconcile(ctx) })
}

func (s *Server) reconcile(ctx context.Context) error {
	databases, err := s.store.AccessDatabases(ctx)
	if err != nil {
		return err
	}
	wanted, err := s.store.AccessRoles(ctx, "")
	if err != nil {
		return err
	}
	roles, err := s.markedRoles(ctx)
	if err != nil {
		return fmt.Errorf("access: reconcile: %w", err)
	}
	dbs, err := s.markedDatabases(ctx)
	if err != nil {
		return fmt.Errorf("access: reconcile: %w", err)
	}
	var errs []error
	for _, d := range databases {
		if _, ok := roles[d.GroupRole]; ok && slices.Contains(dbs, d.PgName) {
			continue
		}
		s.log.Info("access reconcile: creating the database", "database", d.PgName)
		if err := s.ensureDatabase(ctx, d); err != nil {
			errs = append(errs, fmt.Errorf("database %s: %w", d.PgName, err))
		}
	}
	known := map[string]bool{}
	var missing []store.AccessRole
	var granting []string
	for _, r := range wanted {
		known[r.RoleName] = true
		if r.State == store.AccessRevoking {
			if err := s.finishRevocation(ctx, r, roles); err != nil {
				errs = append(errs, fmt.Errorf("role %s: %w", r.RoleName, err))
			}
			continue
		}
		if have, ok := roles[r.RoleName]; !ok || !have.login || !slices.Contains(have.groups, r.GroupRole) {
			if r.State == store.AccessActive {
				s.log.Info("access drift: granting a role again", "role", r.RoleName)
			}
			missing = append(missing, r)
		} else if r.State == store.AccessGranting {
			granting = append(granting, r.RoleName)
		}
	}
	done, err := s.grantAll(ctx, missing, roles)
	errs = append(errs, err)
	if err := s.markGranted(ctx, append(granting, done...)); err != nil {
		errs = append(errs, err)
	}
	for name, r := range roles {
		if r.mark != s.mark(markMember) || known[name] {
			continue
		}
		s.log.Info("access drift: removing a role no member has", "role", name)
		if err := s.dropRole(ctx, name, "", ""); err != nil {
			errs = append(errs, fmt.Errorf("role %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// finishRevocation drops role r, which the store wants gone, and forgets it.
func (s *Server) finishRevocation(ctx context.Context, r store.AccessRole, roles map[string]pgRole) error {
	if _, exists := roles[r.RoleName]; exists {
		s.log.Info("access drift: finishing a revocation", "role", r.RoleName)
		if err := s.dropRole(ctx, r.RoleName, r.PgName, r.GroupRole); err != nil {
			return err
		}
	}
	return s.store.Tx(ctx, func(tx store.WriteTx) error { return tx.DeleteAccessRole(ctx, r.RoleName) })
}

// grantBatch is how many roles one statement string grants: a reconcile from scratch
// makes one round trip and one commit per batch rather than per role.
const grantBatchSize = 100

// grantAll grants the roles in batches, several at once (the server's cost is one
// PBKDF2 per role, which it spreads over its cores), and one by one the roles of a batch
// that failed; it returns the names of those granted.
func (s *Server) grantAll(ctx context.Context, list []store.AccessRole, roles map[string]pgRole) ([]string, error) {
	var mu sync.Mutex
	var done []string
	var errs []error
	var wg sync.WaitGroup
	slots := make(chan struct{}, s.pool.Config().MaxConns)
	for batch := range slices.Chunk(list, grantBatchSize) {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			granted, err := s.grantBatch(ctx, batch, roles)
			mu.Lock()
			defer mu.Unlock()
			done, errs = append(done, granted...), append(errs, err)
		})
	}
	wg.Wait()
	return done, errors.Join(errs...)
}

// grantBatch grants batch in one statement string, or one by one if that fails.
func (s *Server) grantBatch(ctx context.Context, batch []store.AccessRole, roles map[string]pgRole) ([]string, error) {
	var sql strings.Builder
	var names []string
	for _, r := range batch {
		_, exists := roles[r.RoleName]
		sql.WriteString(s.grantSQL(r, exists))
		names = append(names, r.RoleName)
	}
	if _, err := s.pool.Exec(ctx, sql.String()); err == nil {
		return names, nil
	}
	names = names[:0]
	var errs []error
	for _, r := range batch {
		if err := s.grant(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("role %s: %w", r.RoleName, err))
			continue
		}
		names = append(names, r.RoleName)
	}
	return names, errors.Join(errs...)
}

// markGranted records that the roles named exist on the server.
func (s *Server) markGranted(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	return s.store.Tx(ctx, func(tx store.WriteTx) error {
		for _, name := range names {
			if err := s.granted(ctx, tx, name); err != nil {
				return err
			}
		}
		return nil
	})
}

// markedRoles returns this instance's roles by name.
func (s *Server) markedRoles(ctx context.Context) (map[string]pgRole, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT r.rolname, r.rolcanlogin, d.description,
			array(SELECT g.rolname FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid WHERE am.member = r.oid)
		FROM pg_roles r JOIN pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass
		WHERE d.description IN ($1, $2)`, s.mark(markMember), s.mark(markGroup))
	if err != nil {
		return nil, err
	}
	roles := map[string]pgRole{}
	var name string
	var r pgRole
	_, err = pgx.ForEachRow(rows, []any{&name, &r.login, &r.mark, &r.groups}, func() error {
		roles[name] = r
		return nil
	})
	return roles, err
}

// markedDatabases returns the names of this instance's databases.
func (s *Server) markedDatabases(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT db.datname FROM pg_database db
		JOIN pg_shdescription d ON d.objoid = db.oid AND d.classoid = 'pg_database'::regclass
		WHERE d.description = $1`, s.mark(markDatabase))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
