package cli

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// eventsOf answers GET /v1/databases/{db}/events of the demo database with events, a
// page of 25 at a time as the API does, and records the pages asked for.
func eventsOf(events []map[string]any, pages *[]string) func(w http.ResponseWriter, r *http.Request) bool {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) bool {
		db, isDatabase := strings.CutPrefix(r.URL.Path, "/v1/databases/")
		db, isEvents := strings.CutSuffix(db, "/events")
		if !isDatabase || !isEvents || r.Method != http.MethodGet {
			return false
		}
		if db != demoDatabaseName && db != demoDatabaseID {
			writeError(w, http.StatusNotFound, "Database "+db+" not found")
			return true
		}
		mu.Lock()
		*pages = append(*pages, r.URL.Query().Get("page"))
		mu.Unlock()
		var page int
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		from, to := min((page-1)*25, len(events)), min(page*25, len(events))
		writeJSON(w, http.StatusOK, map[string]any{"events": events[from:to]})
		return true
	}
}

func event(typ, actor, target, at string) map[string]any {
	e := map[string]any{"type": typ, "actor": nil, "target": target, "at": at}
	if actor != "" {
		e["actor"] = actor
	}
	return e
}

func TestCollaboratorsEventsPrintsOneLinePerEventNewestFirst(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user2@example.com")
	var pages []string
	f.answerWith(eventsOf([]map[string]any{
		event("left", "user2", "user2@example.com", "2026-11-27T11:30:00Z"),
		event("revoked", "user1", "user4@example.com", "2026-11-27T11:00:00Z"),
		event("expired", "", "user3@example.com", "2026-11-27T10:30:00Z"),
		event("resent", "user2", "user3@example.com", "2026-11-27T10:20:00Z"),
		event("accepted", "user2", "user2@example.com", "2026-11-27T10:10:00Z"),
		// Times in another zone are shown in UTC.
		event("invited", "user1", "user3@example.com", "2026-11-27T11:00:05+01:00"),
		event("invited", "user1", "user2@example.com", "2026-11-27T10:00:00Z"),
	}, &pages))
	wantSuccess(t, run(t, "", "--database", demoDatabaseID, "collaborators-events"), golden(t, "events.golden"))
	if !slices.Equal(pages, []string{"1"}) {
		t.Errorf("pages asked for: %q, want only the first (it is not full)", pages)
	}
}

func TestCollaboratorsEventsReadsEveryPage(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	var events []map[string]any
	var want strings.Builder
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for i := 49; i >= 0; i-- {
		at := start.Add(time.Duration(i) * time.Minute)
		target := fmt.Sprintf("guest%02d@example.com", i)
		events = append(events, event("invited", "user1", target, at.Format(time.RFC3339)))
		fmt.Fprintf(&want, "%s  user1 invited %s\n", at.Format("2006-01-02 15:04:05"), target)
	}
	var pages []string
	f.answerWith(eventsOf(events, &pages))
	wantSuccess(t, run(t, "", "--database", demoDatabaseName, "collaborators-events"), want.String())
	// Two full pages, then the empty one that says there is no more.
	if !slices.Equal(pages, []string{"1", "2", "3"}) {
		t.Errorf("pages asked for: %q", pages)
	}
}

func TestCollaboratorsEventsErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		as     string
		args   []string
		answer func(w http.ResponseWriter, r *http.Request) bool
		stderr string
	}{
		{name: "not logged in", args: []string{"--database", demoDatabaseName, "collaborators-events"},
			stderr: " !     You are not logged in: run dbcollab login --email YOUR-EMAIL\n"},
		{name: "unknown database", as: "user4@example.com", args: []string{"--database", "nope", "collaborators-events"},
			stderr: " !     Database nope not found\n"},
		{name: "an answer of another shape", as: "user1@example.com", args: []string{"--database", demoDatabaseName, "collaborators-events"},
			answer: func(w http.ResponseWriter, _ *http.Request) bool {
				writeJSON(w, http.StatusOK, map[string]any{"activity": []string{}})
				return true
			},
			stderr: " !     Unexpected answer from the API: 200 OK: the answer has no \"events\"\n"},
		{name: "a second page that fails", as: "user1@example.com", args: []string{"--database", demoDatabaseName, "collaborators-events"},
			answer: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("page") == "1" {
					full := make([]map[string]any, 25)
					for i := range full {
						full[i] = event("invited", "user1", "x@example.com", "2026-11-27T10:00:00Z")
					}
					writeJSON(w, http.StatusOK, map[string]any{"events": full})
				} else {
					writeError(w, http.StatusInternalServerError, "The server could not answer")
				}
				return true
			},
			stderr: " !     Unexpected answer from the API: 500 Internal Server Error: The server could not answer\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			newTerminal(t)
			f := newFakeAPI(t)
			if tt.as != "" {
				loginAs(t, f, tt.as)
			}
			var pages []string
			if tt.answer == nil {
				tt.answer = eventsOf(nil, &pages)
			}
			f.answerWith(tt.answer)
			wantFailure(t, run(t, "", tt.args...), 1, tt.stderr)
		})
	}
	t.Run("an argument too many", func(t *testing.T) {
		newTerminal(t)
		got := run(t, "", "--database", demoDatabaseName, "collaborators-events", "extra")
		if got.code != 2 || !strings.Contains(got.stderr, "USAGE:\n   dbcollab --database NAME-OR-ID collaborators-events\n") ||
			!strings.HasSuffix(got.stderr, " !     Unexpected argument: extra\n") {
			t.Errorf("exit %d, stderr:\n%s", got.code, got.stderr)
		}
	})
}

func TestInvitationLimitIsPrintedAsAnError(t *testing.T) {
	newTerminal(t)
	f := newFakeAPI(t)
	loginAs(t, f, "user1@example.com")
	const message = "This database has reached its limit of 50 invitations in 24 hours; try again later"
	f.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": message, "errors": map[string][]string{"email": {message}}})
		return true
	})
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators-add", "new@example.com"), 1, " !     "+message+"\n")
}
