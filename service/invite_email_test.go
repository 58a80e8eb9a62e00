package service_test

import (
	"strings"
	"testing"
	"time"
)

// The invitation e-mail says when its link stops working, by the same clock and
// lifetime as the link's check, and a reply goes to whoever sent it.
func TestInvitationEmailSaysWhenTheLinkExpiresAndRepliesGoToTheInviter(t *testing.T) {
	w := newWorld(t)
	w.svc.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC) }
	w.svc.InviteTTL = 48 * time.Hour
	_, row, err := w.svc.Invite(t.Context(), w.collaborator.ID, dbName, "new@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if e := w.takeEmail(t, "new@example.com"); e.ReplyTo != w.collaborator.Email {
		t.Errorf("the e-mail's Reply-To is %q, want the inviter %q", e.ReplyTo, w.collaborator.Email)
	}
	if _, _, err := w.svc.Resend(t.Context(), w.owner.ID, dbName, row.ID); err != nil {
		t.Fatal(err)
	}
	e := w.takeEmail(t, "new@example.com")
	if e.ReplyTo != w.owner.Email {
		t.Errorf("the resent e-mail's Reply-To is %q, want the resender %q", e.ReplyTo, w.owner.Email)
	}
	for _, want := range []string{"The link expires on Thu 3 Dec 2026 at 09:30 UTC.", "accepted by an account using new@example.com"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("the e-mail does not say %q:\n%s", want, e.Text)
		}
	}
}
