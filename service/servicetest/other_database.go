package servicetest

import (
	"context"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

// OtherDatabase is a second database, for tests that what belongs to one database
// cannot be reached through another.
type OtherDatabase struct {
	store.Database
	// OwnerRow is its owner's row; Invited the pending invitation of the invitee.
	OwnerRow, Invited store.Collaborator
}

// NewOtherDatabase makes the database name owned by ownerID, on the first plan, and
// invites invitee to it.
func NewOtherDatabase(tb testing.TB, svc *service.Service, ownerID int64, name, invitee string) OtherDatabase {
	tb.Helper()
	ctx := context.Background()
	db, err := svc.CreateDatabase(ctx, ownerID, service.NewDatabaseInput{Name: name, Plan: service.Plans[0].ID})
	if err != nil {
		tb.Fatal(err)
	}
	o := OtherDatabase{Database: db}
	_, rows, err := svc.Collaborators(ctx, ownerID, name)
	if err != nil || len(rows) != 1 {
		tb.Fatalf("the rows of %s: %v, %v", name, rows, err)
	}
	o.OwnerRow = rows[0]
	if _, o.Invited, err = svc.Invite(ctx, ownerID, name, invitee); err != nil {
		tb.Fatal(err)
	}
	return o
}
