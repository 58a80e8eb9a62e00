package cli

import "testing"

func TestBinaryInvitationLimitPerInviterIsAnError(t *testing.T) {
	// The demo data's two invitations were user1's.
	apiURL := startServer(t, "--invite-limit-per-inviter", "2")
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	wantFailure(t, owner.run("", "collaborators-add", "user@example.com"), 1,
		" !     You have reached your limit of 2 invitations in 24 hours; try again later\n")
	// user2 has a limit of their own.
	collaborator := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	collaborator.login(apiURL, "user2@example.com")
	wantSuccess(t, collaborator.run("", "collaborators-add", "user@example.com"), golden(t, "invited.golden"))
}
