package views

import (
	"fmt"

	"dbcollab/store"
)

func revokeURL(db store.Database, m store.Collaborator) string {
	return databaseURL(db, fmt.Sprintf("/settings/collaborators/%d/revoke", m.ID))
}

func displayUsername(m store.Collaborator) string {
	if m.Status == store.StatusPending {
		return "n/a"
	}
	return m.Username
}

// revokeQuestion says what revoking row m will do, from the viewer's point of view.
func revokeQuestion(viewer *store.User, db store.Database, m store.Collaborator) string {
	switch {
	case m.UserID == viewer.ID:
		return fmt.Sprintf("You will stop collaborating on %s and lose access to it.", db.Name)
	case m.Status == store.StatusPending:
		return fmt.Sprintf("The invitation of %s to %s will be cancelled and its link will stop working.", m.Email, db.Name)
	default:
		return fmt.Sprintf("%s will lose access to %s.", m.Email, db.Name)
	}
}
