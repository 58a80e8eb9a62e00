package service_test

import (
	"strings"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

func TestTransferOwnershipMakesTheCollaboratorOwner(t *testing.T) {
	w := newWorld(t)
	db, err := w.svc.TransferOwnership(t.Context(), w.owner.ID, dbName, " Collaborator@Example.com ")
	if err != nil {
		t.Fatal(err)
	}
	if db.OwnerID != w.collaborator.ID || db.Owner.Email != w.collaborator.Email {
		t.Errorf("the database's owner is %s; want collaborator@example.com", db.Owner.Email)
	}
	// The invitation the old owner sent stays: the invitations of everyone else are untouched.
	w.assertRows(t, "collaborator@example.com owner", "owner@example.com accepted", "invitee@example.com pending")
	if !w.seesDatabase(t, w.owner) {
		t.Error("the old owner lost the database")
	}

	sent := w.drainOutbox(t)
	if got := recipients(sent); len(got) != 2 || got[0] != w.collaborator.Email || got[1] != w.owner.Email {
		t.Fatalf("e-mails to %v; want the new owner, then a receipt to the old one", got)
	}
	if !strings.Contains(sent[0].Text, "owner (owner@example.com) made you the owner of orders") {
		t.Errorf("the new owner's e-mail says:\n%s", sent[0].Text)
	}
	if !strings.Contains(sent[1].Text, "You made collaborator@example.com the owner of orders") {
		t.Errorf("the old owner's e-mail says:\n%s", sent[1].Text)
	}
	if w.queued.Load() != 1 {
		t.Errorf("the e-mail sender was woken %d times, want once", w.queued.Load())
	}

	events, err := w.st.Events(t.Context(), w.db.ID, 1, 0)
	if err != nil || len(events) != 1 || events[0].Type != store.EventTransferred || events[0].ActorID != w.owner.ID {
		t.Fatalf("the last event is %+v, %v; want the transfer by the owner", events, err)
	}
	if got := service.DescribeEvent(events[0].Type, events[0].ActorName, events[0].Target); got != "owner made collaborator@example.com the owner" {
		t.Errorf("Activity says %q", got)
	}

	// Who may transfer next moves with it.
	_, err = w.svc.TransferOwnership(t.Context(), w.owner.ID, dbName, w.collaborator.Email)
	wantError(t, err, service.Invalid, "", service.ErrNotOwner.Message)
	if _, err := w.svc.TransferOwnership(t.Context(), w.collaborator.ID, dbName, w.owner.Email); err != nil {
		t.Errorf("the new owner hands it back: %v", err)
	}
}

func TestOnlyTheOwnerTransfersOwnership(t *testing.T) {
	w := newWorld(t)
	_, err := w.svc.TransferOwnership(t.Context(), w.collaborator.ID, dbName, w.collaborator.Email)
	wantError(t, err, service.Invalid, "", "Only the owner can transfer the ownership of a database")
	for _, u := range []store.User{w.stranger, w.invitee} {
		_, err := w.svc.TransferOwnership(t.Context(), u.ID, dbName, w.collaborator.Email)
		wantNotFound(t, u.Username+" transfers", err)
	}
	w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted", "invitee@example.com pending")
	w.assertNoEmailQueued(t)
}

func TestTransferOwnershipOnlyToAnAcceptedCollaborator(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct{ email, message string }{
		{"invitee@example.com", "invitee@example.com has not accepted the invitation to orders yet: ownership can only go to a collaborator"},
		{"stranger@example.com", "stranger@example.com does not collaborate on orders: ownership can only go to a collaborator"},
		{"owner@example.com", "owner@example.com already owns orders"},
		{"not an address", "Enter a valid e-mail address, like name@example.com"},
	} {
		_, err := w.svc.TransferOwnership(t.Context(), w.owner.ID, dbName, c.email)
		wantError(t, err, service.Invalid, "email", c.message)
	}
	if _, err := w.svc.Revoke(t.Context(), w.owner.ID, dbName, w.collaboratorRow.ID); err != nil {
		t.Fatal(err)
	}
	w.drainOutbox(t)
	w.queued.Store(0)
	_, err := w.svc.TransferOwnership(t.Context(), w.owner.ID, dbName, w.collaborator.Email)
	wantError(t, err, service.Invalid, "email", "collaborator@example.com does not collaborate on orders: ownership can only go to a collaborator")
	w.assertRows(t, "owner@example.com owner", "invitee@example.com pending")
	w.assertNoEmailQueued(t)
}
