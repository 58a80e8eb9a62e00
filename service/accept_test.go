package service_test

import (
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

func TestAcceptRequiresInvitedAccount(t *testing.T) {
	w := newWorld(t)
	others := []role{{"stranger", w.stranger}, {"owner", w.owner}, {"accepted collaborator", w.collaborator}}
	for _, o := range others {
		t.Run(o.name, func(t *testing.T) {
			_, err := w.svc.AcceptInvitation(t.Context(), o.user.ID, w.inviteeToken)
			wantError(t, err, service.Invalid, "", service.WrongAccountMessage(w.invitee.Email, o.user.Email))
			if inv, _ := w.svc.Invitation(t.Context(), w.inviteeToken); inv.State != service.InvitationOpen {
				t.Errorf("after a refused accept the link's state = %v, want still open", inv.State)
			}
		})
	}
	if w.seesDatabase(t, w.stranger) {
		t.Fatal("the stranger got in through someone else's invitation")
	}

	t.Run("pending invitee", func(t *testing.T) {
		inv, err := w.svc.Invitation(t.Context(), w.inviteeToken)
		if err != nil || inv.State != service.InvitationOpen || inv.Database.Name != dbName ||
			inv.Collaborator.InviterName != "owner" || inv.Message() != "" {
			t.Fatalf("Invitation = %+v, %v; want an open invitation to orders from owner", inv, err)
		}
		db, err := w.svc.AcceptInvitation(t.Context(), w.invitee.ID, w.inviteeToken)
		if err != nil || db.Name != dbName {
			t.Fatalf("AcceptInvitation = %s, %v; want orders", db.Name, err)
		}
		list, err := w.svc.Databases(t.Context(), w.invitee.ID)
		if err != nil || len(list) != 1 || list[0].Name != dbName {
			t.Errorf("the invitee's databases = %v, %v; want orders", list, err)
		}
		rows := w.rows(t)
		if got := rows[2]; got.Email != w.invitee.Email || got.Status != store.StatusAccepted || got.Username != "invitee" {
			t.Errorf("the invitee's row = %s %s %q, want accepted with username invitee", got.Email, got.Status, got.Username)
		}
	})

	t.Run("an account whose address was typed in another case", func(t *testing.T) {
		_, token := w.invite(t, w.owner, "Eve@Example.COM")
		eve, err := w.svc.Signup(t.Context(), service.SignupInput{Email: "EVE@example.com", Username: "eve", Password: "password-eve"})
		if err != nil {
			t.Fatal(err)
		}
		w.accept(t, eve, token)
	})

	t.Run("an unknown link", func(t *testing.T) {
		for _, token := range []string{"", "nonsense", w.inviteeToken[:len(w.inviteeToken)-1], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			inv, err := w.svc.Invitation(t.Context(), token)
			if err != nil || inv.State != service.InvitationUnknown {
				t.Errorf("Invitation(%q) = %v, %v; want unknown", token, inv.State, err)
			}
			_, err = w.svc.AcceptInvitation(t.Context(), w.stranger.ID, token)
			wantError(t, err, service.Conflict, "",
				"This invitation link is not valid. Check that you copied the whole link from the e-mail.")
		}
	})
}

func TestAcceptedLinkCannotBeReused(t *testing.T) {
	w := newWorld(t)
	w.accept(t, w.invitee, w.inviteeToken)
	const used = "This invitation has already been accepted; it cannot be used again."

	for _, u := range []store.User{w.invitee, w.stranger} {
		_, err := w.svc.AcceptInvitation(t.Context(), u.ID, w.inviteeToken)
		wantError(t, err, service.Conflict, "", used)
	}
	if inv, _ := w.svc.Invitation(t.Context(), w.inviteeToken); inv.State != service.InvitationAccepted || inv.Message() != used {
		t.Errorf("the used link's state = %v %q, want accepted", inv.State, inv.Message())
	}

	t.Run("not even to come back after being removed", func(t *testing.T) {
		if _, err := w.svc.Revoke(t.Context(), w.owner.ID, dbName, w.inviteeRow.ID); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.AcceptInvitation(t.Context(), w.invitee.ID, w.inviteeToken)
		wantError(t, err, service.Conflict, "", used)
		if w.seesDatabase(t, w.invitee) {
			t.Error("the removed collaborator got back in with the used link")
		}
	})
}
