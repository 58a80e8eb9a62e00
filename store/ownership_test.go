package store_test

import (
	"context"
	"errors"
	"testing"

	"dbcollab/store"
)

func TestTransferOwnershipSwapsTheOwnerAndLeavesEveryoneElse(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	bob := ls.invite(ls.db, ls.bob.Email, "bob", lifecycleClock)
	pia := ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.AcceptInvitation(ctx, bob.ID, ls.bob.ID, lifecycleClock) }); err != nil {
		t.Fatal(err)
	}
	before, err := ls.st.DatabaseByID(ctx, ls.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.TransferOwnership(ctx, ls.db.ID, bob.ID, lifecycleClock) }); err != nil {
		t.Fatal(err)
	}

	after, err := ls.st.DatabaseByID(ctx, ls.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.OwnerID != ls.bob.ID || after.Owner.Email != ls.bob.Email {
		t.Errorf("the owner is %d (%s); want bob", after.OwnerID, after.Owner.Email)
	}
	if after.Version == before.Version {
		t.Error("the transfer left the database's version: a cached tab would show the old owner")
	}
	rows, err := ls.st.Collaborators(ctx, ls.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, m := range rows {
		status[m.Email] = m.Status
	}
	want := map[string]string{ls.bob.Email: store.StatusOwner, ls.owner.Email: store.StatusAccepted, pia.Email: store.StatusPending}
	if len(status) != len(want) {
		t.Errorf("rows %v; want %v", status, want)
	}
	for email, s := range want {
		if status[email] != s {
			t.Errorf("%s is %q; want %q", email, status[email], s)
		}
	}
	if rows[0].Email != ls.bob.Email {
		t.Errorf("the first row is %s; want the new owner's", rows[0].Email)
	}
	if _, err := ls.st.DatabaseForMember(ctx, ls.db.ID, ls.owner.ID); err != nil {
		t.Errorf("the old owner no longer sees the database: %v", err)
	}
}

func TestTransferOwnershipOnlyGoesToAnAcceptedRow(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	pia := ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock)
	err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.TransferOwnership(ctx, ls.db.ID, pia.ID, lifecycleClock) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("transfer to a pending row: %v; want ErrNotFound", err)
	}
	after, err := ls.st.DatabaseByID(ctx, ls.db.ID)
	if err != nil || after.OwnerID != ls.owner.ID {
		t.Errorf("after a refused transfer the owner is %d, %v", after.OwnerID, err)
	}
	if m, err := ls.st.LiveCollaboratorByEmail(ctx, ls.db.ID, ls.owner.Email); err != nil || m.Status != store.StatusOwner {
		t.Errorf("after a refused transfer the owner's row is %+v, %v: half written", m, err)
	}
}
