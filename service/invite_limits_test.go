package service_test

import (
	"testing"
	"time"

	"dbcollab/service"
)

// newBilling gives the lifecycle fixture a second database, billing, owned by its owner.
func (lc *lifecycle) newBilling() {
	lc.t.Helper()
	if _, err := lc.svc.CreateDatabase(lc.t.Context(), lc.owner.ID, service.NewDatabaseInput{Name: "billing", Plan: service.Plans[0].ID}); err != nil {
		lc.t.Fatal(err)
	}
}

func TestInviteLimitPerInviterCountsAcrossDatabasesAndResendsAgainstTheResender(t *testing.T) {
	// The fixture sent one invitation as the owner (bob's) and one as bob (pia's).
	lc := newLifecycle(t, 0)
	lc.svc.InviteLimitPerInviter = 3
	const message = "You have reached your limit of 3 invitations in 24 hours; try again later"
	lc.newBilling()
	zoe, _ := lc.invite(lc.owner, "zoe@example.com")
	if _, _, err := lc.svc.Invite(t.Context(), lc.owner.ID, "billing", "yan@example.com"); err != nil {
		t.Fatal(err)
	}
	lc.outbox()

	before := lc.stored()
	_, _, err := lc.svc.Invite(t.Context(), lc.owner.ID, "orders", "xia@example.com")
	lifecycleRefusal(t, err, service.TooMany, message)
	_, _, err = lc.svc.Invite(t.Context(), lc.owner.ID, "billing", "xia@example.com")
	lifecycleRefusal(t, err, service.TooMany, message)
	_, _, err = lc.svc.Resend(t.Context(), lc.owner.ID, "orders", zoe.ID)
	lifecycleRefusal(t, err, service.TooMany, message)
	if after := lc.stored(); after != before {
		t.Errorf("a refused invitation changed the store:\n%s\nwant\n%s", after, before)
	}

	// Bob's resends of the owner's invitation count against bob, not the owner.
	lc.resend(lc.bob, zoe)
	lc.resend(lc.bob, zoe)
	_, _, err = lc.svc.Resend(t.Context(), lc.bob.ID, "orders", zoe.ID)
	lifecycleRefusal(t, err, service.TooMany, message)

	lc.clock.Advance(24 * time.Hour)
	lc.invite(lc.owner, "xia@example.com")
}

func TestInviteLimitPerRecipientCountsAcrossDatabases(t *testing.T) {
	lc := newLifecycle(t, 0)
	lc.svc.InviteLimitPerRecipient = 2
	const message = "zoe@example.com has already received 2 invitations in 24 hours; try again later"
	lc.newBilling()
	zoe, _ := lc.invite(lc.owner, "zoe@example.com")
	lc.resend(lc.bob, zoe)

	before := lc.stored()
	_, _, err := lc.svc.Invite(t.Context(), lc.owner.ID, "billing", "ZOE@example.com")
	lifecycleRefusal(t, err, service.TooMany, message)
	if e, _ := service.AsError(err); e.Field != "email" {
		t.Errorf("the limit is reported on field %q, want email", e.Field)
	}
	_, _, err = lc.svc.Resend(t.Context(), lc.owner.ID, "orders", zoe.ID)
	lifecycleRefusal(t, err, service.TooMany, message)
	if after := lc.stored(); after != before {
		t.Errorf("a refused invitation changed the store:\n%s\nwant\n%s", after, before)
	}
	// Another address is not affected.
	if _, _, err := lc.svc.Invite(t.Context(), lc.owner.ID, "billing", "yan@example.com"); err != nil {
		t.Errorf("inviting another address: %v", err)
	}
	lc.outbox()

	lc.clock.Advance(24 * time.Hour)
	if _, _, err := lc.svc.Invite(t.Context(), lc.owner.ID, "billing", "zoe@example.com"); err != nil {
		t.Errorf("a day later: %v", err)
	}
}
