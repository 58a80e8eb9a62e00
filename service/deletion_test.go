package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

// deleteAccount deletes u's account with its password and address, as the form sends them.
func (w *world) deleteAccount(u store.User) error {
	return w.svc.DeleteAccount(context.Background(), u.ID, service.AccountDeletion{Password: "password-" + u.Username, Email: u.Email})
}

// activity is the Activity of "orders", newest first, as its sentences read.
func (w *world) activity(t *testing.T) []string {
	t.Helper()
	events, err := w.st.Events(t.Context(), w.db.ID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, service.DescribeEvent(e.Type, e.ActorName, e.Target))
	}
	return out
}

func TestDeleteAccountLeavesEveryDatabaseAsIfTheyLeft(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	// The collaborator invited a friend, has an API token, and is invited to another
	// database, billing.
	w.invite(t, w.collaborator, "friend@example.com")
	token, _, err := w.svc.CreateAPIToken(ctx, w.collaborator.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateDatabase(ctx, w.stranger.ID, service.NewDatabaseInput{Name: "billing", Plan: service.Plans[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Invite(ctx, w.stranger.ID, "billing", w.collaborator.Email); err != nil {
		t.Fatal(err)
	}
	w.drainOutbox(t)
	w.queued.Store(0)

	if err := w.deleteAccount(w.collaborator); err != nil {
		t.Fatal(err)
	}

	// As if they left: their row and the invitation they sent end, with their events.
	w.assertRows(t, "owner@example.com owner", "invitee@example.com pending")
	want := []string{
		"The invitation collaborator@example.com had sent to friend@example.com was cancelled: collaborator@example.com no longer collaborates",
		"collaborator@example.com stopped collaborating",
		"collaborator@example.com invited friend@example.com",
	}
	if got := w.activity(t); !slices.Equal(got[:3], want) {
		t.Errorf("Activity reads %q; want it to start with %q (the deleted account by its address)", got[:3], want)
	}
	sent := w.drainOutbox(t)
	if len(sent) != 1 || sent[0].To != w.owner.Email || !strings.Contains(sent[0].Text, "collaborator (collaborator@example.com) stopped collaborating on orders") ||
		!strings.Contains(sent[0].Text, "friend@example.com") {
		t.Errorf("e-mails %v; want the owner's notice of the departure, naming the cancelled invitation", recipients(sent))
	}
	if w.queued.Load() != 1 {
		t.Errorf("the e-mail sender was woken %d times, want once", w.queued.Load())
	}

	// The account and its API token are gone.
	if _, err := w.svc.User(ctx, w.collaborator.ID); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("the account is still there: %v", err)
	}
	if _, err := w.svc.UserByAPIToken(ctx, token); err == nil {
		t.Error("the API token of the deleted account still works")
	}
	// The invitation addressed to them stays, and their address is free for a new
	// account, which may accept it.
	again := signup(t, w.svc, "collaborator")
	if again.ID == w.collaborator.ID {
		t.Errorf("the new account took the deleted one's ID %d", again.ID)
	}
	_, billing, err := w.svc.Collaborators(ctx, w.stranger.ID, "billing")
	if err != nil || len(billing) != 2 || billing[1].Email != w.collaborator.Email || billing[1].Status != store.StatusPending {
		t.Fatalf("billing's rows are %q, %v; want the invitation to collaborator@example.com pending", table(billing), err)
	}
	_, row, err := w.svc.Resend(ctx, w.stranger.ID, "billing", billing[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	w.accept(t, again, linkToken(t, w.takeEmail(t, row.Email)))
}

func TestDeleteAccountIsRefusedWhileItOwnsDatabases(t *testing.T) {
	w := newWorld(t)
	if _, err := w.svc.CreateDatabase(t.Context(), w.owner.ID, service.NewDatabaseInput{Name: "billing", Plan: service.Plans[0].ID}); err != nil {
		t.Fatal(err)
	}
	err := w.deleteAccount(w.owner)
	wantError(t, err, service.Conflict, "", "You own billing, orders: transfer or delete them first")
	if _, err := w.svc.User(t.Context(), w.owner.ID); err != nil {
		t.Errorf("the refused account is gone: %v", err)
	}
	w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted", "invitee@example.com pending")
	w.assertNoEmailQueued(t)
}

func TestDeleteAccountNeedsThePasswordAndTheTypedAddress(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		name           string
		in             service.AccountDeletion
		field, message string
	}{
		{"wrong password", service.AccountDeletion{Password: "password-owner", Email: w.collaborator.Email}, "delete_password", "This is not your current password"},
		{"no address", service.AccountDeletion{Password: "password-collaborator"}, "delete_confirm_email",
			"Type your e-mail address, collaborator@example.com, to delete your account"},
		{"someone else's address", service.AccountDeletion{Password: "password-collaborator", Email: w.owner.Email}, "delete_confirm_email",
			"Type your e-mail address, collaborator@example.com, to delete your account"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := w.svc.DeleteAccount(t.Context(), w.collaborator.ID, c.in)
			wantError(t, err, service.Invalid, c.field, c.message)
			if !w.seesDatabase(t, w.collaborator) {
				t.Error("a refused deletion removed the account from orders")
			}
			w.assertNoEmailQueued(t)
		})
	}
	// The address typed in another case is the account's all the same.
	err := w.svc.DeleteAccount(t.Context(), w.collaborator.ID, service.AccountDeletion{Password: "password-collaborator", Email: " Collaborator@Example.COM "})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWrongPasswordsOnDeleteAccountAreThrottledLikeLogIns(t *testing.T) {
	w := newWorld(t)
	for range service.AccountFreeFailures + 1 {
		err := w.svc.DeleteAccount(t.Context(), w.collaborator.ID, service.AccountDeletion{Password: "guess", Email: w.collaborator.Email})
		wantError(t, err, service.Invalid, "delete_password", "This is not your current password")
	}
	err := w.deleteAccount(w.collaborator)
	if e, ok := service.AsError(err); !ok || e.Kind != service.TooMany || e.Field != "delete_password" {
		t.Fatalf("after %d wrong passwords, the right one: %v; want a wait, next to the password", service.AccountFreeFailures+1, err)
	}
	if !w.seesDatabase(t, w.collaborator) {
		t.Error("the throttled deletion went through")
	}
}

func TestDeleteDatabaseTellsItsMembersAndFreesItsName(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if _, err := w.svc.DeleteDatabase(ctx, w.owner.ID, w.db.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.User{w.owner, w.collaborator} {
		if w.seesDatabase(t, u) {
			t.Errorf("%s still sees the deleted database", u.Username)
		}
	}
	sent := w.drainOutbox(t)
	if got := recipients(sent); !slices.Equal(got, []string{w.owner.Email, w.collaborator.Email}) {
		t.Fatalf("e-mails to %v; want a receipt to the owner, then the collaborator (the invitee is told by the link)", got)
	}
	if !strings.Contains(sent[0].Text, "You deleted the database orders") ||
		!strings.Contains(sent[1].Text, "owner (owner@example.com) deleted the database orders; you no longer have access to it.") {
		t.Errorf("the e-mails say:\n%s\n%s", sent[0].Text, sent[1].Text)
	}
	if w.queued.Load() != 1 {
		t.Errorf("the e-mail sender was woken %d times, want once", w.queued.Load())
	}
	inv, err := w.svc.Invitation(ctx, w.inviteeToken)
	if err != nil || inv.State != service.InvitationDeleted ||
		inv.Message() != "This invitation was to orders, a database that no longer exists: its owner deleted it." {
		t.Errorf("the invitee's link: %+v, %v; want it to say the database was deleted", inv, err)
	}
	if _, err := w.svc.AcceptInvitation(ctx, w.invitee.ID, w.inviteeToken); err == nil {
		t.Error("the invitation to the deleted database was accepted")
	}
	// The name is free again, and the old link keeps saying what it was.
	if _, err := w.svc.CreateDatabase(ctx, w.owner.ID, service.NewDatabaseInput{Name: dbName, Plan: service.Plans[0].ID}); err != nil {
		t.Fatalf("the name of the deleted database: %v", err)
	}
	if inv, _ := w.svc.Invitation(ctx, w.inviteeToken); inv.State != service.InvitationDeleted {
		t.Errorf("once the name is taken again, the old link says %q", inv.Message())
	}
}

func TestDeleteDatabaseReplacedLinksSayItWasDeleted(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.svc.Resend(t.Context(), w.owner.ID, dbName, w.inviteeRow.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.DeleteDatabase(t.Context(), w.owner.ID, dbName); err != nil {
		t.Fatal(err)
	}
	if inv, err := w.svc.Invitation(t.Context(), w.inviteeToken); err != nil || inv.State != service.InvitationDeleted {
		t.Errorf("the replaced link says %q, %v", inv.Message(), err)
	}
}

func TestOnlyTheOwnerDeletesADatabase(t *testing.T) {
	w := newWorld(t)
	_, err := w.svc.DeleteDatabase(t.Context(), w.collaborator.ID, dbName)
	wantError(t, err, service.Invalid, "", "Only the owner can delete a database")
	for _, u := range []store.User{w.stranger, w.invitee} {
		_, err := w.svc.DeleteDatabase(t.Context(), u.ID, dbName)
		wantNotFound(t, u.Username+" deletes orders", err)
	}
	_, err = w.svc.DeleteDatabaseConfirmed(t.Context(), w.owner.ID, dbName, "order")
	wantError(t, err, service.Invalid, "name", "Type orders, the name of the database, to delete it")
	if !w.seesDatabase(t, w.owner) {
		t.Fatal("a refused deletion deleted the database")
	}
	w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted", "invitee@example.com pending")
	w.assertNoEmailQueued(t)
	if _, err := w.svc.DeleteDatabaseConfirmed(t.Context(), w.owner.ID, w.db.ID, " orders "); err != nil {
		t.Errorf("the name typed: %v", err)
	}
}
