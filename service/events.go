package service

import "dbcollab/store"

// DescribeEvent says in a sentence what a membership event was, the same on the
// dashboard's Activity and in the command line's list. actor is the username of who did
// it, empty for what nobody did (an expiry). Concatenated rather than formatted: the
// tab's Activity says 25 of them on every view made afresh.
func DescribeEvent(eventType, actor, target string) string {
	if actor == "" {
		actor = "Someone"
	}
	switch eventType {
	case store.EventInvited:
		return actor + " invited " + target
	case store.EventResent:
		return actor + " sent a new invitation to " + target
	case store.EventAccepted:
		return target + " accepted the invitation"
	case store.EventExpired:
		return "The invitation of " + target + " expired"
	case store.EventRevoked:
		return actor + " revoked the access of " + target
	case store.EventLeft:
		return target + " stopped collaborating"
	case store.EventCancelled:
		return "The invitation " + actor + " had sent to " + target + " was cancelled: " + actor + " no longer collaborates"
	case store.EventTransferred:
		return actor + " made " + target + " the owner"
	default:
		return actor + " " + eventType + " " + target
	}
}
