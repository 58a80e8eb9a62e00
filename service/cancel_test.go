package service_test

import (
	"slices"
	"strings"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

// In the lifecycle fixture bob, a collaborator, invited pia, who has not accepted.

func TestRevokingAMemberCancelsTheInvitationsTheySent(t *testing.T) {
	lc := newLifecycle(t, 0)
	zoe, zoeLink := lc.invite(lc.bob, "zoe@example.com")
	yan, _ := lc.invite(lc.owner, "yan@example.com")
	bobRow := lc.row("bob@example.com")

	r, err := lc.svc.Revoke(t.Context(), lc.owner.ID, "orders", bobRow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pia@example.com", zoe.Email}; !slices.Equal(r.Cancelled, want) {
		t.Errorf("cancelled %q, want %q", r.Cancelled, want)
	}
	for _, link := range []string{lc.piaLink, zoeLink} {
		inv := lc.state(link)
		if inv.State != service.InvitationCancelled || !strings.HasPrefix(inv.Message(), "This invitation was cancelled") {
			t.Errorf("a link bob sent says %q (state %d), want it cancelled", inv.Message(), inv.State)
		}
	}
	if _, err := lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, lc.piaLink); err == nil {
		t.Error("pia accepted an invitation from a revoked collaborator")
	}
	if got := lc.status(yan.Email); got != store.StatusPending {
		t.Errorf("the owner's invitation is %q after bob's revocation, want pending", got)
	}
	want := []string{"cancelled bob zoe@example.com", "cancelled bob pia@example.com", "revoked owner bob@example.com"}
	if got := lc.events()[:3]; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q first", got, want)
	}
	if got := service.DescribeEvent(store.EventCancelled, "bob", "zoe@example.com"); got !=
		"The invitation bob had sent to zoe@example.com was cancelled: bob no longer collaborates" {
		t.Errorf("Activity says %q", got)
	}
}

func TestLeavingCancelsTheInvitationsYouSentAndTellsTheOwner(t *testing.T) {
	lc := newLifecycle(t, 0)
	lc.outbox()
	if _, err := lc.svc.Revoke(t.Context(), lc.bob.ID, "orders", lc.row("bob@example.com").ID); err != nil {
		t.Fatal(err)
	}
	if inv := lc.state(lc.piaLink); inv.State != service.InvitationCancelled {
		t.Errorf("pia's link is in state %d after bob left, want cancelled", inv.State)
	}
	emails := lc.outbox()
	if len(emails) != 1 || emails[0].To != lc.owner.Email ||
		!strings.Contains(emails[0].Text, "The pending invitations they had sent were cancelled: pia@example.com.") {
		t.Fatalf("e-mails after bob left: %+v, want the owner's notice naming pia's cancelled invitation", emails)
	}
	if got := lc.events()[0]; got != "cancelled bob pia@example.com" {
		t.Errorf("newest event %q", got)
	}
}

func TestCancellingAPendingInvitationCancelsNothingElse(t *testing.T) {
	lc := newLifecycle(t, 0)
	zoe, _ := lc.invite(lc.owner, "zoe@example.com")
	r, err := lc.svc.Revoke(t.Context(), lc.bob.ID, "orders", zoe.ID)
	if err != nil || len(r.Cancelled) != 0 {
		t.Fatalf("Revoke = %+v, %v; want nothing else cancelled", r, err)
	}
	if got := lc.status("pia@example.com"); got != store.StatusPending {
		t.Errorf("pia's invitation is %q", got)
	}
}

// row is the live row of email on orders.
func (lc *lifecycle) row(email string) store.Collaborator {
	lc.t.Helper()
	m, err := lc.svc.Store.LiveCollaboratorByEmail(lc.t.Context(), lc.db.ID, email)
	if err != nil {
		lc.t.Fatal(err)
	}
	return m
}
