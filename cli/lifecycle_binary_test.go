package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// eventLine is one line of collaborators-events: the time, two spaces, what happened.
var eventLine = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)  (.+)$`)

func TestBinaryCollaboratorsEventsNewestFirst(t *testing.T) {
	apiURL := startServer(t)
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	wantSuccess(t, owner.run("", "collaborators-add", "user@example.com"), golden(t, "invited.golden"))
	wantSuccess(t, owner.run("", "collaborators-remove", "user@example.com"), golden(t, "removed.golden"))

	got := owner.run("", "collaborators-events")
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", got.code, got.stderr)
	}
	var said []string
	for line := range strings.Lines(got.stdout) {
		m := eventLine.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
		if m == nil {
			t.Fatalf("not an event line: %q", line)
		}
		// Every event of this test happened in the last minute: its time is in UTC.
		if at, err := time.Parse(time.DateTime, m[1]); err != nil || time.Since(at).Abs() > time.Minute {
			t.Errorf("%q is not the time of an event of the last minute, in UTC", m[1])
		}
		said = append(said, m[2])
	}
	want := []string{
		"user1 revoked the access of user@example.com",
		"user1 invited user@example.com",
		"user1 invited user3@example.com",
		"user2@example.com accepted the invitation",
		"user1 invited user2@example.com",
	}
	if strings.Join(said, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(said, "\n"), strings.Join(want, "\n"))
	}

	stranger := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	stranger.login(apiURL, "user4@example.com")
	wantFailure(t, stranger.run("", "collaborators-events"), 1, " !     Database my-dedicated-db not found\n")
}

func TestBinaryInvitationLimitIsAnError(t *testing.T) {
	// The demo data sent two invitations: a limit of 2 is reached.
	apiURL := startServer(t, "--invite-limit", "2")
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	wantFailure(t, owner.run("", "collaborators-add", "user@example.com"), 1,
		" !     This database has reached its limit of 2 invitations in 24 hours; try again later\n")
	wantSuccess(t, owner.run("", "collaborators"), golden(t, "collaborators.golden"))
}

func TestBinaryListsAnExpiredInvitationAsExpired(t *testing.T) {
	apiURL := startServer(t, "--invite-ttl", "1s")
	owner := newBinaryTerminal(t, "DBCOLLAB_DATABASE=my-dedicated-db")
	owner.login(apiURL, "user1@example.com")
	const expired = "│ user3@example.com │ n/a      │ expired  │ collaborator │"
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := owner.run("", "collaborators")
		if got.code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", got.code, got.stderr)
		}
		if strings.Contains(got.stdout, expired) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("user3's invitation is not listed as expired 10 s after a TTL of 1 s:\n%s", got.stdout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
