package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"dbcollab/service"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

// withClock runs the world's service on a clock the test moves, with invitations that
// live ttl.
func withClock(ttl time.Duration) (*servicetest.Clock, func(*service.Service)) {
	clock := servicetest.NewClock(apiClock)
	return clock, func(s *service.Service) { s.Now, s.InviteTTL = clock.Now, ttl }
}

var apiInvitationLink = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]{43})`)

// takeLinks empties the outbox and returns the invitation link tokens in it, by address.
func (w *apiWorld) takeLinks() map[string]string {
	w.t.Helper()
	links := map[string]string{}
	for {
		e, err := w.svc.Store.NextDueEmail(w.t.Context())
		if errors.Is(err, store.ErrNotFound) {
			return links
		}
		if err != nil {
			w.t.Fatal(err)
		}
		if err := w.svc.Store.Tx(w.t.Context(), func(tx store.WriteTx) error { return tx.MarkEmailSent(w.t.Context(), e.ID, apiClock) }); err != nil {
			w.t.Fatal(err)
		}
		if m := apiInvitationLink.FindStringSubmatch(e.Text); m != nil {
			links[e.To] = m[1]
		}
	}
}

func (w *apiWorld) resendPath(email string) string {
	return w.collaboratorsPath(fmt.Sprintf("/%d/resend", w.rowID(email)))
}

func TestAPIResendByRole(t *testing.T) {
	w := newAPIWorld(t)
	for _, role := range apiRoles {
		t.Run(role, func(t *testing.T) {
			before, stored := w.stored(), w.mustRow("user3@example.com")
			r := w.post(w.resendPath("user3@example.com"), w.auth[role], "")
			switch role {
			case "anonymous", "bad token":
				unauthenticated(t, role, r)
				w.expectNothingStored(t, before)
			case "stranger", "pending invitee":
				r.expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
				w.expectNothingStored(t, before)
			default:
				r.expectBody(t, http.StatusOK, `{"collaborator":`+
					collaboratorJSON(stored.ID, "user3@example.com", "", "pending", "collaborator", false)+`}`)
				if links := w.takeLinks(); len(links) != 1 || links["user3@example.com"] == "" {
					t.Fatalf("the resend e-mailed %v, want a link to user3 only", links)
				}
				if now := w.mustRow("user3@example.com"); string(now.TokenHash) == string(stored.TokenHash) {
					t.Fatal("the row kept its link")
				}
			}
		})
	}
}

func (w *apiWorld) mustRow(email string) store.Collaborator {
	w.t.Helper()
	m, ok := w.row(email)
	if !ok {
		w.t.Fatalf("%s has no live row", email)
	}
	return m
}

func TestAPIResendRefusesWhatIsNotAnInvitation(t *testing.T) {
	w := newAPIWorld(t)
	other := servicetest.NewOtherDatabase(t, w.svc, w.users["stranger"].ID, "other-db", "someone@example.com")
	before := w.stored()
	for _, email := range []string{"user1@example.com", "user2@example.com"} {
		w.post(w.resendPath(email), w.auth["owner"], "").
			expectError(t, http.StatusUnprocessableEntity, "Only a pending or expired invitation can be sent again")
	}
	for _, id := range []string{"999", "0", "-1", "abc", fmt.Sprint(other.OwnerRow.ID), fmt.Sprint(other.Invited.ID)} {
		w.post(w.collaboratorsPath("/"+id+"/resend"), w.auth["collaborator"], "").
			expectError(t, http.StatusNotFound, "Collaborator "+id+" not found on my-dedicated-db")
	}
	w.post("/v1/databases/no-such-db/collaborators/1/resend", w.auth["owner"], "").
		expectError(t, http.StatusNotFound, "Database no-such-db not found")
	w.expectNothingStored(t, before)
}

func TestAPIShowsExpiredInvitationsAndResendRevivesThem(t *testing.T) {
	clock, configure := withClock(time.Hour)
	w := newAPIWorld(t, configure)
	id := w.rowID("user3@example.com")
	clock.Advance(time.Hour)
	list := `{"collaborators":[` + strings.Join([]string{
		collaboratorJSON(w.rowID("user1@example.com"), "user1@example.com", "user1", "owner", "owner", true),
		collaboratorJSON(w.rowID("user2@example.com"), "user2@example.com", "user2", "accepted", "collaborator", true),
		collaboratorJSON(id, "user3@example.com", "", "%s", "collaborator", false),
	}, ",") + `],"total":3}`
	w.get(w.collaboratorsPath(""), w.auth["collaborator"]).expectBody(t, http.StatusOK, fmt.Sprintf(list, "expired"))

	w.post(w.resendPath("user3@example.com"), w.auth["collaborator"], "").
		expectBody(t, http.StatusOK, `{"collaborator":`+collaboratorJSON(id, "user3@example.com", "", "pending", "collaborator", false)+`}`)
	w.get(w.collaboratorsPath(""), w.auth["owner"]).expectBody(t, http.StatusOK, fmt.Sprintf(list, "pending"))
}

func TestAPIInvitationLimitIs429AndStoresNothing(t *testing.T) {
	// The demo data sent two invitations already.
	w := newAPIWorld(t, func(s *service.Service) { s.InviteLimit = 3 })
	const message = "This database has reached its limit of 3 invitations in 24 hours; try again later"
	w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": {"email": "new@example.com"}}`).expect(t, http.StatusCreated)
	w.takeEmails()

	before := w.stored()
	w.post(w.collaboratorsPath(""), w.auth["collaborator"], `{"collaborator": {"email": "more@example.com"}}`).
		expectFieldError(t, http.StatusTooManyRequests, "email", message)
	w.post(w.resendPath("user3@example.com"), w.auth["owner"], "").expectError(t, http.StatusTooManyRequests, message)
	w.expectNothingStored(t, before)
	if _, ok := w.row("more@example.com"); ok {
		t.Error("the refused address has a row")
	}
}

func TestAPIEventsNewestFirstWithNullActorForExpiries(t *testing.T) {
	clock, configure := withClock(time.Hour)
	w := newAPIWorld(t, configure)
	at := apiTime(apiClock)
	demo := fmt.Sprintf(`{"type":"invited","actor":"user1","target":"user3@example.com","at":"%s"},`+
		`{"type":"accepted","actor":"user2","target":"user2@example.com","at":"%s"},`+
		`{"type":"invited","actor":"user1","target":"user2@example.com","at":"%s"}`, at, at, at)

	for _, ref := range []string{w.db.Name, w.db.ID} {
		for _, role := range apiRoles {
			t.Run(ref+"/"+role, func(t *testing.T) {
				r := w.get("/v1/databases/"+ref+"/events", w.auth[role])
				switch role {
				case "anonymous", "bad token":
					unauthenticated(t, role, r)
				case "stranger", "pending invitee":
					r.expectError(t, http.StatusNotFound, "Database "+ref+" not found")
				default:
					r.expectBody(t, http.StatusOK, `{"events":[`+demo+`]}`)
				}
			})
		}
	}

	// user3's link expires; the sweep notices ten minutes later and dates it at expiry.
	clock.Advance(time.Hour + 10*time.Minute)
	if _, err := w.svc.RecordExpiries(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.post(w.resendPath("user3@example.com"), w.auth["collaborator"], "").expect(t, http.StatusOK)
	w.get("/v1/databases/"+w.db.Name+"/events", w.auth["owner"]).expectBody(t, http.StatusOK, `{"events":[`+
		fmt.Sprintf(`{"type":"resent","actor":"user2","target":"user3@example.com","at":"%s"},`, apiTime(apiClock.Add(70*time.Minute)))+
		fmt.Sprintf(`{"type":"expired","actor":null,"target":"user3@example.com","at":"%s"},`, apiTime(apiClock.Add(time.Hour)))+
		demo+`]}`)
}

func TestAPIEventsArePagedBy25(t *testing.T) {
	w := newAPIWorld(t)
	// The demo's 3 events and 57 invitations: 60 events.
	for i := range 57 {
		if _, _, err := w.svc.Invite(t.Context(), w.users["owner"].ID, w.db.Name, fmt.Sprintf("guest%02d@example.com", i)); err != nil {
			t.Fatal(err)
		}
	}
	type page struct {
		Events []struct {
			Type, Target string
		} `json:"events"`
	}
	for _, c := range []struct {
		query string
		n     int
		first string
	}{
		{"", 25, "guest56@example.com"},
		{"?page=1", 25, "guest56@example.com"},
		{"?page=2", 25, "guest31@example.com"},
		{"?page=3", 10, "guest06@example.com"},
	} {
		var got page
		w.get("/v1/databases/"+w.db.Name+"/events"+c.query, w.auth["collaborator"]).expect(t, http.StatusOK).decode(t, &got)
		if len(got.Events) != c.n || got.Events[0].Target != c.first {
			t.Errorf("events%s: %d events from %+v, want %d from %s", c.query, len(got.Events), got.Events[0], c.n, c.first)
		}
	}
	w.get("/v1/databases/"+w.db.Name+"/events?page=4", w.auth["owner"]).expectBody(t, http.StatusOK, `{"events":[]}`)
	for _, bad := range []string{"0", "-1", "two", "1.5", "99999999999999999999"} {
		w.get("/v1/databases/"+w.db.Name+"/events?page="+bad, w.auth["owner"]).
			expectError(t, http.StatusBadRequest, "page must be a whole number from 1")
	}
	// A page too far to exist is empty, not the first one again.
	w.get("/v1/databases/"+w.db.Name+"/events?page=9223372036854775807", w.auth["owner"]).expectBody(t, http.StatusOK, `{"events":[]}`)
}

// Invitation links are secrets of the e-mail: no API answer carries one.
func TestAPIAnswersNeverCarryInvitationLinks(t *testing.T) {
	w := newAPIWorld(t)
	r := w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": {"email": "new@example.com"}}`).expect(t, http.StatusCreated)
	links := w.takeLinks()
	resent := w.post(w.resendPath("new@example.com"), w.auth["owner"], "").expect(t, http.StatusOK)
	for k, v := range w.takeLinks() {
		links[k+" (resent)"] = v
	}
	answers := []apiReply{r, resent,
		w.get(w.collaboratorsPath(""), w.auth["owner"]).expect(t, http.StatusOK),
		w.get("/v1/databases/"+w.db.Name+"/events", w.auth["owner"]).expect(t, http.StatusOK),
	}
	if len(links) != 2 {
		t.Fatalf("links e-mailed: %v, want the invitation's and the resend's", links)
	}
	for _, a := range answers {
		for who, token := range links {
			if strings.Contains(a.body, token) || strings.Contains(fmt.Sprint(a.header), token) {
				t.Errorf("an answer carries the link of %s: %s", who, a.body)
			}
		}
	}
}
