package service_test

import (
	"errors"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

func TestRevokeCancelsPendingInvitation(t *testing.T) {
	// Each role cancels the invitation in a world of its own.
	for i, name := range []string{"owner", "accepted collaborator"} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			actor := w.members()[i].user
			r, err := w.svc.Revoke(t.Context(), actor.ID, dbName, w.inviteeRow.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Email != w.invitee.Email || r.Database.Name != dbName || r.Left {
				t.Errorf("Revocation = %+v, want invitee@example.com removed from orders, not left", r)
			}
			w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted")

			inv, err := w.svc.Invitation(t.Context(), w.inviteeToken)
			if err != nil || inv.State != service.InvitationCancelled {
				t.Fatalf("the link's state = %v, %v; want cancelled", inv.State, err)
			}
			_, err = w.svc.AcceptInvitation(t.Context(), w.invitee.ID, w.inviteeToken)
			wantError(t, err, service.Conflict, "",
				"This invitation was cancelled: access to orders was revoked before it was accepted.")
			if w.seesDatabase(t, w.invitee) {
				t.Error("the invitee got in through a cancelled link")
			}
			_, err = w.svc.Revoke(t.Context(), actor.ID, dbName, w.inviteeRow.ID)
			wantNotFound(t, "revoking the cancelled invitation again", err)
		})
	}

	t.Run("a new invitation gets a new link; the old one stays cancelled", func(t *testing.T) {
		w := newWorld(t)
		if _, err := w.svc.Revoke(t.Context(), w.owner.ID, dbName, w.inviteeRow.ID); err != nil {
			t.Fatal(err)
		}
		w.drainOutbox(t)
		_, token := w.invite(t, w.owner, w.invitee.Email)
		if token == w.inviteeToken {
			t.Fatal("the new invitation reuses the cancelled link")
		}
		if inv, _ := w.svc.Invitation(t.Context(), w.inviteeToken); inv.State != service.InvitationCancelled {
			t.Errorf("the old link's state = %v, want cancelled", inv.State)
		}
		w.accept(t, w.invitee, token)
		if !w.seesDatabase(t, w.invitee) {
			t.Error("the invitee cannot see orders after accepting the new link")
		}
	})
}

func TestRevokeOwnRowLeavesDatabase(t *testing.T) {
	w := newWorld(t)
	r, err := w.svc.Revoke(t.Context(), w.collaborator.ID, dbName, w.collaboratorRow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Left || r.Email != w.collaborator.Email || r.Database.Name != dbName {
		t.Errorf("Revocation = %+v, want collaborator@example.com left orders", r)
	}
	list, err := w.svc.Databases(t.Context(), w.collaborator.ID)
	if err != nil || len(list) != 0 {
		t.Errorf("the collaborator's databases = %v, %v; want orders gone", list, err)
	}
	if w.seesDatabase(t, w.collaborator) {
		t.Error("the collaborator still sees orders after leaving")
	}
	_, _, err = w.svc.Invite(t.Context(), w.collaborator.ID, dbName, "dave@example.com")
	wantNotFound(t, "inviting after leaving", err)
	w.assertRows(t, "owner@example.com owner", "invitee@example.com pending")

	hash, _ := service.ParseInvitationToken(w.collaboratorToken)
	if row, err := w.st.CollaboratorByTokenHash(t.Context(), hash); err != nil || row.Status != store.StatusLeft {
		t.Errorf("the stored row = %s, %v; want left", row.Status, err)
	}

	t.Run("someone who left may be invited again", func(t *testing.T) {
		w.drainOutbox(t)
		_, token := w.invite(t, w.owner, w.collaborator.Email)
		w.accept(t, w.collaborator, token)
		if !w.seesDatabase(t, w.collaborator) {
			t.Error("the collaborator cannot see orders after accepting again")
		}
	})
}

func TestOwnerRemovesCollaborator(t *testing.T) {
	w := newWorld(t)
	r, err := w.svc.Revoke(t.Context(), w.owner.ID, dbName, w.collaboratorRow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Left || r.Email != w.collaborator.Email {
		t.Errorf("Revocation = %+v, want collaborator@example.com removed, not left", r)
	}
	if w.seesDatabase(t, w.collaborator) {
		t.Error("the removed collaborator still sees orders")
	}
	hash, _ := service.ParseInvitationToken(w.collaboratorToken)
	if row, _ := w.st.CollaboratorByTokenHash(t.Context(), hash); row.Status != store.StatusRevoked {
		t.Errorf("the stored row = %s, want revoked", row.Status)
	}
}

func TestNobodyRevokesOwner(t *testing.T) {
	w := newWorld(t)
	for _, actor := range w.members() {
		t.Run(actor.name, func(t *testing.T) {
			_, err := w.svc.Revoke(t.Context(), actor.user.ID, dbName, w.ownerRow.ID)
			if !errors.Is(err, service.ErrOwnerNotRevocable) {
				t.Errorf("Revoke(owner's row) = %v, want ErrOwnerNotRevocable", err)
			}
			_, _, err = w.svc.Collaborator(t.Context(), actor.user.ID, dbName, w.ownerRow.ID)
			if !errors.Is(err, service.ErrOwnerNotRevocable) {
				t.Errorf("Collaborator(owner's row) for the confirmation page = %v, want ErrOwnerNotRevocable", err)
			}
			w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted", "invitee@example.com pending")
			if !w.seesDatabase(t, w.owner) {
				t.Error("the owner lost orders")
			}
		})
	}
}

func TestCollaboratorCanInviteAndRevoke(t *testing.T) {
	w := newWorld(t)
	second, secondRow := w.member(t, "second")
	w.drainOutbox(t)

	_, list, err := w.svc.Collaborators(t.Context(), w.collaborator.ID, dbName)
	if err != nil {
		t.Fatal(err)
	}
	if got := table(list); len(got) != 4 || got[0] != "owner@example.com owner" {
		t.Errorf("the collaborator sees %q, want all four rows, owner first", got)
	}

	_, dave, err := w.svc.Invite(t.Context(), w.collaborator.ID, dbName, "dave@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if dave.InvitedBy != w.collaborator.ID || dave.InviterName != "collaborator" {
		t.Errorf("dave was invited by %d (%s), want the collaborator", dave.InvitedBy, dave.InviterName)
	}

	for _, target := range []store.Collaborator{dave, w.inviteeRow, secondRow} {
		_, m, err := w.svc.Collaborator(t.Context(), w.collaborator.ID, dbName, target.ID)
		if err != nil || m.ID != target.ID {
			t.Errorf("confirmation page for %s: row %d, %v", target.Email, m.ID, err)
		}
		r, err := w.svc.Revoke(t.Context(), w.collaborator.ID, dbName, target.ID)
		if err != nil || r.Left || r.Email != target.Email {
			t.Errorf("Revoke(%s) = %+v, %v; want removed", target.Email, r, err)
		}
	}
	w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted")
	if w.seesDatabase(t, second) {
		t.Error("the collaborator revoked by another collaborator still sees orders")
	}
}
