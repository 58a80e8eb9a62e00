package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"time"

	"dbcollab/store"
)

// Plan is an offer a dedicated database runs on.
type Plan struct {
	ID    string
	Label string
}

// Plans are the offers a new database may take, smallest first.
var Plans = []Plan{
	{ID: "postgresql-dr-starter-4096", Label: "Starter 4G (2 vCPU, 4 GB RAM, 50 GB disk)"},
	{ID: "postgresql-dr-business-8192", Label: "Business 8G (2 vCPU, 8 GB RAM, 100 GB disk)"},
	{ID: "postgresql-dr-business-16384", Label: "Business 16G (4 vCPU, 16 GB RAM, 200 GB disk)"},
	{ID: "postgresql-dr-business-32768", Label: "Business 32G (8 vCPU, 32 GB RAM, 400 GB disk)"},
}

// PlanLabel returns the label of the plan with that ID, or the ID itself.
func PlanLabel(id string) string {
	for _, p := range Plans {
		if p.ID == id {
			return p.Label
		}
	}
	return id
}

var databaseNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{2,62}$`)

// NewDatabaseInput is what the New database form sends.
type NewDatabaseInput struct {
	Name string
	Plan string
}

// CreateDatabase registers a dedicated database owned by ownerID; the owner's row is
// its first collaborator row.
func (s *Service) CreateDatabase(ctx context.Context, ownerID int64, in NewDatabaseInput) (store.Database, error) {
	var errs FieldErrors
	if !databaseNamePattern.MatchString(in.Name) {
		errs.add(invalid("name", "A name has 3 to 63 lowercase letters, digits and dashes, and starts with a letter"))
	}
	if PlanLabel(in.Plan) == in.Plan {
		errs.add(invalid("plan", "Choose one of the plans"))
	}
	if len(errs) > 0 {
		return store.Database{}, errs
	}
	id, err := newDatabaseID()
	if err != nil {
		return store.Database{}, err
	}
	db := store.Database{ID: id, Name: in.Name, Plan: in.Plan, OwnerID: ownerID, CreatedAt: s.now()}
	created := false
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		if created { // by an attempt that conflicted and was rolled back
			s.dropFromPostgres(db)
			created = false
		}
		owner, err := tx.UserByID(ctx, ownerID)
		if err != nil {
			return err
		}
		db.Owner = owner
		if err := insertDatabase(ctx, tx, db); err != nil {
			return err
		}
		created, err = s.createOnPostgres(ctx, tx, db)
		return err
	})
	if err != nil && created {
		s.dropFromPostgres(db)
	}
	if err != nil {
		return store.Database{}, err
	}
	s.AccessQueued()
	return db, nil
}

// postgresCreateTimeout bounds the creation of a database on the server, which holds
// the store's write lock.
const postgresCreateTimeout = 5 * time.Second

// createOnPostgres creates db on the attached server, if any, with its owner's role
// to come, and says whether it did. It runs inside the store transaction that inserts
// db, after the store has taken the name, so that a name taken in either place is
// refused with nothing created in the other: the server's database is dropped again if
// the transaction fails after all. Creations are rare; holding the write lock for one
// is the price of never half-creating a database.
func (s *Service) createOnPostgres(ctx context.Context, tx store.WriteTx, db store.Database) (bool, error) {
	if s.Postgres == nil {
		return false, nil
	}
	d := store.AccessDatabase{DatabaseID: db.ID, PgName: db.Name, GroupRole: newRoleName("g"), CreatedAt: db.CreatedAt}
	if err := tx.InsertAccessDatabase(ctx, d); err != nil {
		return false, err
	}
	if err := s.grantAccess(ctx, tx, db.ID, db.OwnerID); err != nil {
		return false, err
	}
	pgCtx, cancel := context.WithTimeout(ctx, postgresCreateTimeout)
	defer cancel()
	err := s.Postgres.CreateDatabase(pgCtx, d)
	if errors.Is(err, ErrPostgresNameTaken) {
		return false, conflict("name", "A database already has this name on the PostgreSQL server; choose another")
	} else if err != nil {
		return false, &Error{Kind: Conflict, Field: "name", Message: "The PostgreSQL server could not create the database; try again later"}
	}
	return true, nil
}

// dropFromPostgres drops db from the server again, its store transaction having failed.
// Should this fail too, the reconciler finds a marked database nothing wants and says so.
func (s *Service) dropFromPostgres(db store.Database) {
	ctx, cancel := context.WithTimeout(context.Background(), postgresCreateTimeout)
	defer cancel()
	s.Postgres.DropDatabase(ctx, store.AccessDatabase{PgName: db.Name})
}

// insertDatabase stores db with its owner's row, the first of its collaborator rows.
func insertDatabase(ctx context.Context, tx store.WriteTx, db store.Database) error {
	if err := tx.CreateDatabase(ctx, db); errors.Is(err, store.ErrDuplicate) {
		return conflict("name", "A database already has this name; choose another")
	} else if err != nil {
		return err
	}
	return tx.InsertCollaborator(ctx, &store.Collaborator{
		DatabaseID: db.ID, Email: db.Owner.Email, UserID: db.Owner.ID, Status: store.StatusOwner,
		InvitedAt: db.CreatedAt, AcceptedAt: db.CreatedAt,
	})
}

// newDatabaseID makes an ID that can never be mistaken for a name: names have no "_".
func newDatabaseID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "db_" + hex.EncodeToString(b), nil
}

// Databases lists the databases userID owns or collaborates on.
func (s *Service) Databases(ctx context.Context, userID int64) ([]store.Database, error) {
	return s.Store.DatabasesForMember(ctx, userID)
}

// Database returns the database named ref (name or ID) if userID is a member; ErrNotFound
// otherwise, so that a database one may not see cannot be told from one that does not exist.
func (s *Service) Database(ctx context.Context, userID int64, ref string) (store.Database, error) {
	return databaseForMember(ctx, s.Store.Conn, userID, ref)
}

func databaseForMember(ctx context.Context, c store.Conn, userID int64, ref string) (store.Database, error) {
	db, err := c.DatabaseForMember(ctx, ref, userID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Database{}, ErrNotFound
	}
	return db, err
}
