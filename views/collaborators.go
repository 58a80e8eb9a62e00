package views

import (
	"fmt"

	"dbcollab/store"
)

func revokeURL(db store.Database, m store.Collaborator) string {
	return databaseURL(db, fmt.Sprintf("/settings/collaborators/%d/revoke", m.ID))
}

func resendURL(db store.Database, m store.Collaborator) string {
	return databaseURL(db, fmt.Sprintf("/settings/collaborators/%d/resend", m.ID))
}

func activityPageURL(db store.Database, page int) string {
	return databaseURL(db, fmt.Sprintf("/settings/collaborators?page=%d#activity-title", page))
}

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

// describeEvent says what happened, in a sentence without its time.
func describeEvent(e store.Event) string {
	actor := e.ActorName
	if actor == "" {
		actor = "Someone"
	}
	switch e.Type {
	case store.EventInvited:
		return fmt.Sprintf("%s invited %s", actor, e.Target)
	case store.EventResent:
		return fmt.Sprintf("%s sent a new invitation to %s", actor, e.Target)
	case store.EventAccepted:
		return fmt.Sprintf("%s accepted the invitation", e.Target)
	case store.EventExpired:
		return fmt.Sprintf("The invitation of %s expired", e.Target)
	case store.EventRevoked:
		return fmt.Sprintf("%s revoked the access of %s", actor, e.Target)
	case store.EventLeft:
		return fmt.Sprintf("%s stopped collaborating", e.Target)
	default:
		return fmt.Sprintf("%s: %s", e.Type, e.Target)
	}
}
