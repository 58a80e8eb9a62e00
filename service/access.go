package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"

	"dbcollab/access/scram"
	"dbcollab/store"
)

// AccessState is how far a member's PostgreSQL role is from what the store wants.
type AccessState string

const (
	AccessNone     AccessState = "none"
	AccessGranting AccessState = "granting"
	AccessActive   AccessState = "active"
	AccessRevoking AccessState = "revoking"
	AccessFailing  AccessState = "failing"
)

// failingAfter is the number of failed attempts after which a role shows as failing
// rather than pending: a few seconds of retries, a blip rather than a problem.
const failingAfter = 3

// MemberAccess is one member's access state; Error is the first line of the last
// failure, when failing.
type MemberAccess struct {
	State AccessState
	Error string
}

// Credentials say how a member connects to a database. Password is set only by
// ResetCredentials: dbcollab keeps no password.
type Credentials struct {
	Host     string
	Port     int
	Database string
	User     string
	Password string
}

// URI is the postgresql:// URI of c, without the password.
func (c Credentials) URI() string {
	u := url.URL{Scheme: "postgresql", User: url.User(c.User), Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path: "/" + c.Database, RawPath: "/" + url.PathEscape(c.Database)}
	return u.String()
}

// DatabaseStats is what the server says of a database right now.
type DatabaseStats struct {
	SizeBytes int64
	// Sessions counts the open sessions by member user ID (pg_stat_activity).
	Sessions map[int64]int
}

// Access errors.
var (
	ErrNoPostgres          = errors.New("no PostgreSQL server is attached")
	ErrAccessNotReady      = errors.New("access to the database is not ready yet")
	ErrPostgresUnavailable = errors.New("the PostgreSQL server is unavailable")
	// ErrPostgresNameTaken: Postgres.CreateDatabase found the name taken on the server.
	ErrPostgresNameTaken = errors.New("the name is taken on the PostgreSQL server")
)

// Postgres is the attached PostgreSQL server, for what the rules need done at once
// (package access implements it; the rest goes through the job queue). Its errors wrap
// ErrPostgresUnavailable when the server cannot be reached or refuses.
type Postgres interface {
	// Address is where members connect.
	Address() (host string, port int)
	// CreateDatabase creates d's group role and d, owned by it; ErrPostgresNameTaken
	// when the name is taken there.
	CreateDatabase(ctx context.Context, d store.AccessDatabase) error
	// DropDatabase undoes CreateDatabase.
	DropDatabase(ctx context.Context, d store.AccessDatabase) error
	// SetVerifier gives role a new password verifier.
	SetVerifier(ctx context.Context, role, verifier string) error
	// Stats returns the size of database pgName and its open sessions by role name.
	Stats(ctx context.Context, pgName string) (sizeBytes int64, sessions map[string]int, err error)
}

// PostgresAttached says whether a PostgreSQL server is attached.
func (s *Service) PostgresAttached() bool { return s.Postgres != nil }

// AccessStates returns the access state of each of memberIDs, owners or accepted members
// of m (the ones a page shows), by user ID, and the addresses of the members who left or
// were revoked and whose role is not yet gone from the server. What it reads grows with
// memberIDs, not with the database's members.
func (s *Service) AccessStates(ctx context.Context, m Membership, memberIDs []int64) (map[int64]MemberAccess, []string, error) {
	roles, err := s.Store.AccessRolesShown(ctx, m.db.ID, memberIDs)
	if err != nil {
		return nil, nil, err
	}
	states := make(map[int64]MemberAccess, len(memberIDs))
	for _, id := range memberIDs {
		states[id] = MemberAccess{State: AccessNone}
	}
	var removing []string
	for _, r := range roles {
		if r.State == store.AccessRevoking {
			if !slices.Contains(removing, r.Email) {
				removing = append(removing, r.Email)
			}
			continue
		}
		if _, member := states[r.UserID]; member {
			states[r.UserID] = memberAccess(r)
		}
	}
	slices.Sort(removing)
	return states, removing, nil
}

// MemberIDs are the user IDs of the owner and accepted rows among rows: the members
// whose access a page of them shows.
func MemberIDs(rows []store.Collaborator) []int64 {
	var ids []int64
	for _, r := range rows {
		if r.Status == store.StatusOwner || r.Status == store.StatusAccepted {
			ids = append(ids, r.UserID)
		}
	}
	return ids
}

func memberAccess(r store.AccessRole) MemberAccess {
	switch {
	case r.Attempts >= failingAfter && r.LastError != "":
		return MemberAccess{State: AccessFailing, Error: r.LastError}
	case r.State == store.AccessActive:
		return MemberAccess{State: AccessActive}
	case r.State == store.AccessRevoking:
		return MemberAccess{State: AccessRevoking}
	default:
		return MemberAccess{State: AccessGranting}
	}
}

// Credentials returns how userID connects to the database ref, without a password.
func (s *Service) Credentials(ctx context.Context, userID int64, ref string) (Credentials, error) {
	_, role, err := s.liveRole(ctx, userID, ref)
	if err != nil {
		return Credentials{}, err
	}
	return s.credentials(role), nil
}

// ResetCredentials gives userID's role on the database ref a new random password, and
// returns it with the credentials: the old password stops working. The server gets the
// new verifier before the store does, so that a password shown is one that works.
func (s *Service) ResetCredentials(ctx context.Context, userID int64, ref string) (Credentials, error) {
	_, role, err := s.liveRole(ctx, userID, ref)
	if err != nil {
		return Credentials{}, err
	}
	password := scram.Password()
	verifier, err := scram.Verifier(password)
	if err != nil {
		return Credentials{}, err
	}
	if err := s.Postgres.SetVerifier(ctx, role.RoleName, verifier); err != nil {
		return Credentials{}, err
	}
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		return tx.SetAccessRoleVerifier(ctx, role.RoleName, verifier)
	})
	if err != nil {
		return Credentials{}, err
	}
	c := s.credentials(role)
	c.Password = password
	return c, nil
}

// liveRole returns the database ref and userID's active role on it: ErrNotFound if they
// are not a member, ErrNoPostgres or ErrAccessNotReady if there is no such role (yet).
func (s *Service) liveRole(ctx context.Context, userID int64, ref string) (store.Database, store.AccessRole, error) {
	db, err := s.Database(ctx, userID, ref)
	if err != nil {
		return store.Database{}, store.AccessRole{}, err
	}
	if s.Postgres == nil {
		return store.Database{}, store.AccessRole{}, ErrNoPostgres
	}
	role, err := s.Store.LiveAccessRole(ctx, db.ID, userID)
	if errors.Is(err, store.ErrNotFound) || err == nil && role.State != store.AccessActive {
		return store.Database{}, store.AccessRole{}, ErrAccessNotReady
	}
	return db, role, err
}

func (s *Service) credentials(role store.AccessRole) Credentials {
	host, port := s.Postgres.Address()
	return Credentials{Host: host, Port: port, Database: role.PgName, User: role.RoleName}
}

// DatabaseStats returns the size of m's database and who is connected to it.
func (s *Service) DatabaseStats(ctx context.Context, m Membership) (DatabaseStats, error) {
	if s.Postgres == nil {
		return DatabaseStats{}, ErrNoPostgres
	}
	d, err := s.Store.AccessDatabase(ctx, m.db.ID)
	if errors.Is(err, store.ErrNotFound) {
		return DatabaseStats{}, ErrAccessNotReady
	} else if err != nil {
		return DatabaseStats{}, err
	}
	size, byRole, err := s.Postgres.Stats(ctx, d.PgName)
	if err != nil {
		return DatabaseStats{}, err
	}
	roles, err := s.Store.AccessRolesNamed(ctx, m.db.ID, slices.Collect(maps.Keys(byRole)))
	if err != nil {
		return DatabaseStats{}, err
	}
	stats := DatabaseStats{SizeBytes: size, Sessions: map[int64]int{}}
	for _, r := range roles {
		if n := byRole[r.RoleName]; n > 0 {
			stats.Sessions[r.UserID] += n
		}
	}
	return stats, nil
}

// enqueueDatabaseDrop queues, in tx, the drop of db's PostgreSQL database with every
// role on it, if it has one; the caller deletes db in the same transaction and calls
// AccessQueued after the commit.
func (s *Service) enqueueDatabaseDrop(ctx context.Context, tx store.WriteTx, db store.Database) error {
	d, err := tx.AccessDatabase(ctx, db.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return tx.EnqueueJob(ctx, store.JobDropDatabase, d.PgName+" "+d.GroupRole, s.now())
}

// AccessQueued wakes the runner of access jobs, after a commit that queued some.
func (s *Service) AccessQueued() {
	if s.AccessJobsQueued != nil {
		s.AccessJobsQueued()
	}
}

// grantAccess wants, in tx, a role for userID on database id, if the database lives on
// the PostgreSQL server and they have none. Its password is random and unknown until
// the member resets it.
func (s *Service) grantAccess(ctx context.Context, tx store.WriteTx, databaseID string, userID int64) error {
	if _, err := tx.AccessDatabase(ctx, databaseID); errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := tx.LiveAccessRole(ctx, databaseID, userID); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	verifier, err := scram.Verifier(scram.Password())
	if err != nil {
		return err
	}
	role := store.AccessRole{DatabaseID: databaseID, UserID: userID, RoleName: newRoleName("m"), Verifier: verifier, CreatedAt: s.now()}
	if err := tx.InsertAccessRole(ctx, &role); err != nil {
		return err
	}
	return tx.EnqueueJob(ctx, store.JobGrantAccess, role.RoleName, s.now())
}

// revokeAccess wants, in tx, userID's role on database id gone.
func (s *Service) revokeAccess(ctx context.Context, tx store.WriteTx, databaseID string, userID int64) error {
	role, err := tx.LiveAccessRole(ctx, databaseID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := tx.SetAccessRoleState(ctx, role.RoleName, store.AccessRevoking); err != nil {
		return err
	}
	return tx.EnqueueJob(ctx, store.JobRevokeAccess, role.RoleName, s.now())
}

// newRoleName makes a role name that no input shapes: "dbc_", a kind letter (m: member,
// g: group), "_" and 80 random bits.
func newRoleName(kind string) string {
	b := make([]byte, 10)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return fmt.Sprintf("dbc_%s_%s", kind, hex.EncodeToString(b))
}
