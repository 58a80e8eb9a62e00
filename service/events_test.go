package service

import (
	"testing"

	"dbcollab/store"
)

// TestDescribeEventSaysEachKind: every kind of event in its sentence, concatenated as
// the Activity and the command line show it.
func TestDescribeEventSaysEachKind(t *testing.T) {
	for _, c := range []struct{ kind, actor, want string }{
		{store.EventInvited, "ann", "ann invited bob@example.com"},
		{store.EventResent, "ann", "ann sent a new invitation to bob@example.com"},
		{store.EventAccepted, "bob", "bob@example.com accepted the invitation"},
		{store.EventExpired, "", "The invitation of bob@example.com expired"},
		{store.EventRevoked, "", "Someone revoked the access of bob@example.com"},
		{store.EventLeft, "bob", "bob@example.com stopped collaborating"},
		{store.EventCancelled, "ann", "The invitation ann had sent to bob@example.com was cancelled: ann no longer collaborates"},
		{store.EventTransferred, "ann", "ann made bob@example.com the owner"},
		{"renamed", "ann", "ann renamed bob@example.com"},
	} {
		if got := DescribeEvent(c.kind, c.actor, "bob@example.com"); got != c.want {
			t.Errorf("%s: %q, want %q", c.kind, got, c.want)
		}
	}
}
