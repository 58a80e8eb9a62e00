package views

import (
	"fmt"
	"strings"
)

// ConnectView is what the Overview tells its viewer about the database's PostgreSQL:
// how to connect as themself (the Connect card), its size and who is connected now.
type ConnectView struct {
	// Attached is false when the dashboard runs without a PostgreSQL server: there is
	// nothing to connect to, and the card says so instead.
	Attached bool
	// Waiting, when set, says plainly why the viewer has no credentials to show yet
	// (their login being granted, the server down); the card shows it instead.
	Waiting string
	// The viewer's own login, without the password.
	Host                string
	Port                int
	Database, User, URI string
	// Password is set only on the answer to a reset, the one page that shows it.
	Password string

	// UsageUnknown, when set, says why the size and sessions cannot be shown.
	UsageUnknown string
	SizeBytes    int64
	// Connected lists the members with sessions open now, in the order of the members.
	Connected []MemberSessions
}

// MemberSessions is a member's number of PostgreSQL sessions open now.
type MemberSessions struct {
	Username string
	Sessions int
}

// PSQL is the command line that connects with psql; it asks for the password.
func (v ConnectView) PSQL() string { return `psql "` + v.URI + `"` }

// sessionsLabel is "1 session" or "N sessions".
func sessionsLabel(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

// byteSize words n as pg_size_pretty does, in units of 1024: 8 MB, 7.5 GB.
func byteSize(n int64) string {
	if n < 10*1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	size, unit := float64(n), ""
	for _, u := range []string{"kB", "MB", "GB", "TB", "PB"} {
		size, unit = size/1024, u
		if size < 1024 {
			break
		}
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", size), ".0") + " " + unit
}
