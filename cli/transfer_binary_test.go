package cli

import (
	"strings"
	"testing"
)

func TestBinaryMakeOwnerWithCollaboratorsTransfer(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	wantFailure(t, owner.run("", "collaborators-transfer", "user3@example.com"), 1,
		" !     user3@example.com has not accepted the invitation to my-dedicated-db yet: ownership can only go to a collaborator\n")
	wantSuccess(t, owner.run("", "collaborators-transfer", "USER2@example.com"), golden(t, "transferred.golden"))
	list := owner.run("", "collaborators")
	if !strings.Contains(list.stdout, "│ user2@example.com │ user2    │ owner") || !strings.Contains(list.stdout, "│ user1@example.com │ user1    │ accepted") {
		t.Errorf("after the transfer:\n%s", list.stdout)
	}
	// Only the owner may transfer: the old one no longer can.
	wantFailure(t, owner.run("", "collaborators-transfer", "user2@example.com"), 1,
		" !     Only the owner can transfer the ownership of a database\n")
	if events := owner.run("", "collaborators-events"); !strings.Contains(events.stdout, "user1 made user2@example.com the owner") {
		t.Errorf("the events do not say it:\n%s", events.stdout)
	}
}
