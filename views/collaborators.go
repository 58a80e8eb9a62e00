package views

import (
	"fmt"

	"dbcollab/service"
	"dbcollab/store"
)

// isInvitation reports whether m is an invitation not accepted yet, expired or not.
func isInvitation(m store.Collaborator) bool {
	return m.Status == store.StatusPending || m.Status == store.StatusExpired
}

func displayUsername(m store.Collaborator) string {
	if isInvitation(m) {
		return "n/a"
	}
	return m.Username
}

// revokeQuestion says what revoking row m will do, from the viewer's point of view.
func revokeQuestion(viewer *store.User, db store.Database, m store.Collaborator) string {
	switch {
	case m.UserID == viewer.ID:
		return fmt.Sprintf("You will stop collaborating on %s and lose access to it.", db.Name)
	case isInvitation(m):
		return fmt.Sprintf("The invitation of %s to %s will be cancelled and its link will stop working.", m.Email, db.Name)
	default:
		return fmt.Sprintf("%s will lose access to %s.", m.Email, db.Name)
	}
}

func describeEvent(e store.Event) string {
	return service.DescribeEvent(e.Type, e.ActorName, e.Target)
}
