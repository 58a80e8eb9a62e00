package views

import (
	"fmt"

	"dbcollab/service"
	"dbcollab/store"
)

// AddForm is the Add form as posted: what was typed and its errors and, when several
// addresses were posted, each one refused with why.
type AddForm struct {
	Form
	Refused []Refusal
}

// Refusal is an address the Add form did not invite, and the rule's reason.
type Refusal struct{ Address, Reason string }

const maxInvitesAtOnce = service.MaxInvitesAtOnce

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

// mayMakeOwner reports whether the viewer, the owner, may hand db to row m: an accepted collaborator.
func mayMakeOwner(viewer *store.User, db store.Database, m store.Collaborator) bool {
	return db.OwnerID == viewer.ID && m.Status == store.StatusAccepted
}

// transferQuestion says what making row m the owner will do.
func transferQuestion(db store.Database, m store.Collaborator) string {
	return fmt.Sprintf("%s will become the owner of %s. You will stay on as a collaborator, and only %s will be able to transfer it again.", m.Email, db.Name, m.Email)
}

func describeEvent(e store.Event) string {
	return service.DescribeEvent(e.Type, e.ActorName, e.Target)
}
