package service_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dbcollab/internal/testkit"
	"dbcollab/service"
	"dbcollab/store"
)

// rounds is how many times each two-party race is run, so that both orders are likely to occur.
const rounds = 20

func TestConcurrentInvitationsOfOneAddressMakeOneRow(t *testing.T) {
	w := newWorld(t)
	const n = 100
	errs := make([]error, n)
	fns := make([]func(), n)
	for i := range fns {
		address, actor := "dave@example.com", w.owner
		if i%2 == 1 {
			address = "DAVE@EXAMPLE.COM"
		}
		if i%4 >= 2 {
			actor = w.collaborator
		}
		fns[i] = func() { _, _, errs[i] = w.svc.Invite(t.Context(), actor.ID, dbName, address) }
	}
	testkit.AtOnce(fns...)

	invited, already := 0, 0
	for i, err := range errs {
		e, ok := service.AsError(err)
		switch {
		case err == nil:
			invited++
		case ok && e.Kind == service.Conflict && e.Field == "email" && e.Message == "dave@example.com has already been invited to orders":
			already++
		default:
			t.Errorf("invitation %d: unexpected error %v", i, err)
		}
	}
	t.Logf("%d concurrent invitations of one address: %d invited, %d already invited", n, invited, already)
	if invited != 1 || already != n-1 {
		t.Errorf("%d invited and %d already invited, want 1 and %d", invited, already, n-1)
	}
	dave := 0
	for _, m := range w.rows(t) {
		if strings.EqualFold(m.Email, "dave@example.com") {
			dave++
		}
	}
	if dave != 1 {
		t.Errorf("%d live rows for dave@example.com, want 1", dave)
	}
	w.takeEmail(t, "dave@example.com")
}

func TestAcceptRacingRevoke(t *testing.T) {
	w := newWorld(t)
	outcomes := map[string]int{}
	for i := range rounds {
		guest := signup(t, w.svc, fmt.Sprintf("guest%d", i))
		row, token := w.invite(t, w.owner, guest.Email)
		var acceptErr, revokeErr error
		testkit.AtOnce(
			func() { _, acceptErr = w.svc.AcceptInvitation(t.Context(), guest.ID, token) },
			func() { _, revokeErr = w.svc.Revoke(t.Context(), w.owner.ID, dbName, row.ID) },
		)
		// The row is live whether pending or accepted, so the revocation always succeeds.
		if revokeErr != nil {
			t.Fatalf("round %d: Revoke = %v", i, revokeErr)
		}
		inv, err := w.svc.Invitation(t.Context(), token)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case acceptErr == nil && inv.State == service.InvitationAccepted:
			outcomes["accepted then removed"]++
		case inv.State == service.InvitationCancelled:
			wantError(t, acceptErr, service.Conflict, "",
				"This invitation was cancelled: access to orders was revoked before it was accepted.")
			outcomes["cancelled before accepted"]++
		default:
			t.Fatalf("round %d: accept = %v, link state %v", i, acceptErr, inv.State)
		}
		if w.seesDatabase(t, guest) {
			t.Fatalf("round %d: %s is a member without a live row", i, guest.Email)
		}
		if _, err := w.st.LiveCollaboratorByEmail(t.Context(), w.db.ID, guest.Email); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("round %d: %s still has a live row: %v", i, guest.Email, err)
		}
	}
	t.Logf("accept racing revoke, %d rounds: %v", rounds, outcomes)
}

func TestCollaboratorsRevokingEachOther(t *testing.T) {
	w := newWorld(t)
	outcomes := map[string]int{}
	for i := range rounds {
		a, aRow := w.member(t, fmt.Sprintf("alpha%d", i))
		b, bRow := w.member(t, fmt.Sprintf("beta%d", i))
		var aErr, bErr error
		testkit.AtOnce(
			func() { _, aErr = w.svc.Revoke(t.Context(), a.ID, dbName, bRow.ID) },
			func() { _, bErr = w.svc.Revoke(t.Context(), b.ID, dbName, aRow.ID) },
		)
		for _, side := range []struct {
			actor, target store.User
			err           error
		}{{a, b, aErr}, {b, a, bErr}} {
			switch {
			case side.err == nil:
				if w.seesDatabase(t, side.target) {
					t.Errorf("round %d: %s's revocation succeeded but %s still sees orders", i, side.actor.Username, side.target.Username)
				}
			case errors.Is(side.err, service.ErrNotFound):
				// Refused only because the actor had been removed first.
				if w.seesDatabase(t, side.actor) {
					t.Errorf("round %d: %s was refused with not found while still a member", i, side.actor.Username)
				}
			default:
				t.Errorf("round %d: %s's revocation: unexpected error %v", i, side.actor.Username, side.err)
			}
		}
		switch {
		case aErr == nil && bErr == nil:
			outcomes["both ended"]++
		case aErr == nil || bErr == nil:
			outcomes["one won"]++
		default:
			t.Errorf("round %d: neither revocation succeeded", i)
		}
		w.drainOutbox(t)
	}
	t.Logf("two collaborators revoking each other, %d rounds: %v", rounds, outcomes)
}

func TestLeaveRacingInviteOfSameAddress(t *testing.T) {
	w := newWorld(t)
	outcomes := map[string]int{}
	for i := range rounds {
		c, cRow := w.member(t, fmt.Sprintf("leaver%d", i))
		w.drainOutbox(t)
		var leaveErr, inviteErr error
		testkit.AtOnce(
			func() { _, leaveErr = w.svc.Revoke(t.Context(), c.ID, dbName, cRow.ID) },
			func() { _, _, inviteErr = w.svc.Invite(t.Context(), w.owner.ID, dbName, strings.ToUpper(c.Email)) },
		)
		if leaveErr != nil {
			t.Fatalf("round %d: leaving = %v", i, leaveErr)
		}
		live, err := w.st.LiveCollaboratorByEmail(t.Context(), w.db.ID, c.Email)
		switch {
		case inviteErr == nil:
			if err != nil || live.Status != store.StatusPending {
				t.Fatalf("round %d: invited after leaving, but the live row is %+v, %v", i, live, err)
			}
			outcomes["left then invited again"]++
		default:
			wantError(t, inviteErr, service.Conflict, "email", c.Email+" already collaborates on orders")
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("round %d: refused invitation, then left, but a live row remains: %+v, %v", i, live, err)
			}
			outcomes["invite refused, then left"]++
		}
		if w.seesDatabase(t, c) {
			t.Fatalf("round %d: %s still a member after leaving", i, c.Username)
		}
	}
	t.Logf("leave racing an invitation of the same address, %d rounds: %v", rounds, outcomes)
}

func TestInviteLimitHoldsUnder32ConcurrentInviters(t *testing.T) {
	w := newWorld(t)
	const n, room = 32, 10
	inviters := []store.User{w.owner, w.collaborator}
	for i := len(inviters); i < n; i++ {
		u, _ := w.member(t, fmt.Sprintf("inviter%d", i))
		inviters = append(inviters, u)
	}
	w.drainOutbox(t)
	since := time.Now().Add(-24 * time.Hour)
	sent, err := w.st.CountInvitationsSince(t.Context(), w.db.ID, since)
	if err != nil {
		t.Fatal(err)
	}
	w.svc.InviteLimit = sent + room
	message := fmt.Sprintf("This database has reached its limit of %d invitations in 24 hours; try again later", w.svc.InviteLimit)

	errs := make([]error, n)
	fns := make([]func(), n)
	for i, actor := range inviters {
		fns[i] = func() {
			_, _, errs[i] = w.svc.Invite(t.Context(), actor.ID, dbName, fmt.Sprintf("guest%d@example.com", i))
		}
	}
	testkit.AtOnce(fns...)

	invited, refused := 0, 0
	for i, err := range errs {
		e, ok := service.AsError(err)
		switch {
		case err == nil:
			invited++
		case ok && e.Kind == service.TooMany && e.Message == message:
			refused++
		default:
			t.Errorf("inviter %d: unexpected error %v", i, err)
		}
	}
	t.Logf("%d concurrent inviters with room for %d: %d invited, %d refused", n, room, invited, refused)
	if invited != room || refused != n-room {
		t.Errorf("%d invited and %d refused, want %d and %d", invited, refused, room, n-room)
	}
	if after, err := w.st.CountInvitationsSince(t.Context(), w.db.ID, since); err != nil || after != w.svc.InviteLimit {
		t.Errorf("%d invitations in 24 hours (%v), want the limit, %d", after, err, w.svc.InviteLimit)
	}
	if mails := w.drainOutbox(t); len(mails) != room {
		t.Errorf("%d e-mails queued, want %d", len(mails), room)
	}
}
