package store_test

import (
	"context"
	"errors"
	"testing"

	"dbcollab/store"
)

func (ls *lifecycleStore) tx(f func(ctx context.Context, tx store.WriteTx) error) error {
	ctx := context.Background()
	return ls.st.Tx(ctx, func(tx store.WriteTx) error { return f(ctx, tx) })
}

func TestDeleteUserKeepsItsAddressOnEventsAndItsIDIsNeverGivenAgain(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	row := ls.invite(ls.db, ls.bob.Email, "bob", lifecycleClock)
	ls.event(ls.db, store.EventAccepted, ls.bob.ID, ls.bob.Email, lifecycleClock)
	if err := ls.tx(func(ctx context.Context, tx store.WriteTx) error {
		return tx.AcceptInvitation(ctx, row.ID, ls.bob.ID, lifecycleClock)
	}); err != nil {
		t.Fatal(err)
	}
	// A live row holds the account: the foreign key refuses, nothing is half written.
	if err := ls.tx(func(ctx context.Context, tx store.WriteTx) error { return tx.DeleteUser(ctx, ls.bob, lifecycleClock) }); err == nil {
		t.Fatal("deleted an account with a live row")
	}
	if events, _ := ls.st.Events(ctx, ls.db.ID, 10, 0); len(events) != 1 || events[0].ActorID != ls.bob.ID {
		t.Fatalf("after a refused deletion the event is %+v", events)
	}
	before, err := ls.st.DatabaseByID(ctx, ls.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ls.tx(func(ctx context.Context, tx store.WriteTx) error {
		if err := tx.EndCollaboration(ctx, row.ID, store.StatusLeft, lifecycleClock); err != nil {
			return err
		}
		return tx.DeleteUser(ctx, ls.bob, lifecycleClock)
	}); err != nil {
		t.Fatal(err)
	}
	events, err := ls.st.Events(ctx, ls.db.ID, 10, 0)
	if err != nil || len(events) != 1 || events[0].ActorID != 0 || events[0].ActorName != ls.bob.Email {
		t.Errorf("the event of the deleted account is %+v, %v; want its actor named by address", events, err)
	}
	if after, _ := ls.st.DatabaseByID(ctx, ls.db.ID); after.Version == before.Version {
		t.Error("the deletion left the database's version: a cached tab would show the old name")
	}
	if _, err := ls.st.UserByEmail(ctx, ls.bob.Email); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the deleted account is still found by its address: %v", err)
	}
	// bob had the highest ID: SQLite would give it to the next account.
	again := ls.user(ls.bob.Email, "bob")
	if again.ID <= ls.bob.ID {
		t.Errorf("the new account has ID %d; want one above the deleted %d", again.ID, ls.bob.ID)
	}
}

func TestDeleteDatabaseRemembersItsLinksAndTakesItsRowsAndEvents(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	pia := ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock)
	resent := ls.email(pia.Email)
	if err := ls.tx(func(ctx context.Context, tx store.WriteTx) error {
		return tx.ReplaceInvitationToken(ctx, pia.ID, lifecycleHash("pia-2"), resent.ID, lifecycleClock)
	}); err != nil {
		t.Fatal(err)
	}
	ls.event(ls.db, store.EventInvited, ls.owner.ID, pia.Email, lifecycleClock)
	ls.invite(ls.other, "pia@example.com", "pia-billing", lifecycleClock)

	if err := ls.tx(func(ctx context.Context, tx store.WriteTx) error {
		return tx.DeleteDatabase(ctx, ls.db.ID, lifecycleClock)
	}); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"pia", "pia-2"} {
		if name, err := ls.st.DatabaseNameOfDeletedLink(ctx, lifecycleHash(token)); err != nil || name != "orders" {
			t.Errorf("link %s: %q, %v; want orders", token, name, err)
		}
	}
	if _, err := ls.st.DatabaseNameOfDeletedLink(ctx, lifecycleHash("pia-billing")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the other database's link is remembered as deleted: %v", err)
	}
	if _, err := ls.st.DatabaseByID(ctx, ls.db.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the database is still there: %v", err)
	}
	if rows, err := ls.st.Collaborators(ctx, ls.db.ID); err != nil || len(rows) != 0 {
		t.Errorf("rows left: %d, %v", len(rows), err)
	}
	if events, err := ls.st.Events(ctx, ls.db.ID, 10, 0); err != nil || len(events) != 0 {
		t.Errorf("events left: %d, %v", len(events), err)
	}
	if rows, err := ls.st.Collaborators(ctx, ls.other.ID); err != nil || len(rows) != 1 || rows[0].Email != "pia@example.com" {
		t.Errorf("the other database has %d rows, %v; want its invitation to pia", len(rows), err)
	}
	if _, err := ls.st.CollaboratorByReplacedToken(ctx, lifecycleHash("pia")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replaced link still leads to a row: %v", err)
	}
}
