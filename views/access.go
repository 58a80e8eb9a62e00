package views

import (
	"strconv"
	"strings"

	"dbcollab/store"
)

// AccessView is what the Collaborators tab says of each member's PostgreSQL access.
type AccessView struct {
	// Members are the owner's and accepted collaborators' access, by user ID; empty
	// without a PostgreSQL server, and then the rows say nothing of access.
	Members map[int64]MemberAccess
	// StillBeingRemoved are the addresses of members gone from the table whose
	// PostgreSQL login is not removed yet.
	StillBeingRemoved []string
}

// MemberAccess is one member's access: "active", "granting", "revoking", "failing" or
// "none"; the failure's message; their sessions open now.
type MemberAccess struct {
	State, Error string
	Sessions     int
}

// Of is row m's access; none for a pending invitation.
func (v AccessView) Of(m store.Collaborator) MemberAccess {
	if m.UserID == 0 || isInvitation(m) {
		return MemberAccess{State: "none"}
	}
	if a, ok := v.Members[m.UserID]; ok {
		return a
	}
	return MemberAccess{State: "none"}
}

// shown reports whether the tab says anything of this access: not for "none".
func (a MemberAccess) shown() bool { return a.State != "none" && a.State != "" }

// firstLine is the first line of a PostgreSQL error: the rest is detail and hints.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// activeLabel is "active", with "connected: N" when the member has sessions open.
func activeLabel(sessions int) string {
	if sessions > 0 {
		return "active, connected: " + strconv.Itoa(sessions)
	}
	return "active"
}
