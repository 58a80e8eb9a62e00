package service

import (
	"fmt"

	"dbcollab/store"
)

// DescribeEvent says in a sentence what a membership event was, the same on the
// dashboard's Activity and in the command line's list. actor is the username of who did
// it, empty for what nobody did (an expiry).
func DescribeEvent(eventType, actor, target string) string {
	if actor == "" {
		actor = "Someone"
	}
	switch eventType {
	case store.EventInvited:
		return fmt.Sprintf("%s invited %s", actor, target)
	case store.EventResent:
		return fmt.Sprintf("%s sent a new invitation to %s", actor, target)
	case store.EventAccepted:
		return fmt.Sprintf("%s accepted the invitation", target)
	case store.EventExpired:
		return fmt.Sprintf("The invitation of %s expired", target)
	case store.EventRevoked:
		return fmt.Sprintf("%s revoked the access of %s", actor, target)
	case store.EventLeft:
		return fmt.Sprintf("%s stopped collaborating", target)
	case store.EventCancelled:
		return fmt.Sprintf("The invitation %s had sent to %s was cancelled: %s no longer collaborates", actor, target, actor)
	case store.EventTransferred:
		return fmt.Sprintf("%s made %s the owner", actor, target)
	default:
		return fmt.Sprintf("%s %s %s", actor, eventType, target)
	}
}
