package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dbcollab/store"
)

func TestInviteAddsAPendingRowAndQueuesTheEmail(t *testing.T) {
	for _, inviter := range []string{"owner", "collaborator"} {
		t.Run(inviter, func(t *testing.T) {
			h := newHarness(t)
			user := map[string]store.User{"owner": h.owner, "collaborator": h.collaborator}[inviter]
			a := h.signedIn(user)
			a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"  New.Person@Example.COM "}}).
				expectRedirect(h.collaboratorsPath())

			page := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
			if got, want := page.flash(), "new.person@example.com has been invited to collaborate to "+dbName; got != want {
				t.Errorf("flash %q, want %q", got, want)
			}
			rows := collaboratorRows(page)
			last := rows[len(rows)-1]
			if want := (tableRow{"new.person@example.com", "n/a", "pending", "collaborator", true}); last != want {
				t.Errorf("last row %+v, want %+v", last, want)
			}
			// The flash is shown once.
			if got := a.get(h.collaboratorsPath()).flash(); got != "" {
				t.Errorf("flash shown again: %q", got)
			}

			emails := h.takeEmails()
			if len(emails) != 1 {
				t.Fatalf("%d e-mails queued, want 1", len(emails))
			}
			e := emails[0]
			if e.To != "new.person@example.com" {
				t.Errorf("e-mail to %q", e.To)
			}
			for _, part := range []struct{ name, body string }{{"subject", e.Subject}, {"text", e.Text}, {"HTML", e.HTML}} {
				for _, want := range []string{dbName, user.Username} {
					if !strings.Contains(part.body, want) {
						t.Errorf("the e-mail's %s does not name %q:\n%s", part.name, want, part.body)
					}
				}
			}
			token := invitationLink.FindStringSubmatch(e.Text)
			if token == nil || !strings.Contains(e.Text, h.url+"/invitations/"+token[1]) {
				t.Fatalf("the e-mail's text has no link to accept:\n%s", e.Text)
			}
			if !strings.Contains(e.HTML, "/invitations/"+token[1]) {
				t.Errorf("the e-mail's HTML has no link to accept:\n%s", e.HTML)
			}
		})
	}
}

func TestInviteRefusalsAreShownNextToTheFieldAndStoreNothing(t *testing.T) {
	base := newHarness(t)
	tooLong := strings.Repeat("a", 243) + "@example.com" // 255 characters
	for _, tc := range []struct {
		name, typed, message string
		status               int
	}{
		{"owner", "Olivia@Example.com", "olivia@example.com is the owner of " + dbName, http.StatusConflict},
		{"collaborator", " CARL@example.com", "carl@example.com already collaborates on " + dbName, http.StatusConflict},
		{"already invited", "pia@EXAMPLE.com", "pia@example.com has already been invited to " + dbName, http.StatusConflict},
		{"empty", "   ", "Enter an e-mail address", http.StatusUnprocessableEntity},
		{"no @", "pia.example.com", "Enter a valid e-mail address, like name@example.com", http.StatusUnprocessableEntity},
		{"two @", "pia@home@example.com", "Enter a valid e-mail address, like name@example.com", http.StatusUnprocessableEntity},
		{"over 254 characters", tooLong, "An e-mail address has at most 254 characters", http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := base.in(t)
			before := h.rows()
			r := h.signedIn(h.collaborator).
				submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {tc.typed}}).
				expectStatus(tc.status)

			r.expectFieldError("Email", "email", tc.message)
			// HTML turns CR LF into LF in attribute values.
			typed := strings.ReplaceAll(strings.ReplaceAll(tc.typed, "\r\n", "\n"), "\r", "\n")
			r.expectField("Email", typed)
			if _, open := r.doc.Find("[data-testid=add-collaborator]").Attr("open"); !open {
				t.Error("the Add form is closed: its error is hidden")
			}
			if got := len(collaboratorRows(r)); got != len(before) {
				t.Errorf("the table shown again has %d rows, want %d", got, len(before))
			}
			if after := h.rows(); len(after) != len(before) {
				t.Errorf("%d rows stored, want %d", len(after), len(before))
			}
			if emails := h.takeEmails(); len(emails) != 0 {
				t.Errorf("%d e-mails queued", len(emails))
			}
		})
	}
}

func TestInviteAgainAfterRevocationIsAllowed(t *testing.T) {
	h := newHarness(t)
	pending, _ := h.row(h.invitee.Email)
	a := h.signedIn(h.owner)
	a.submit(h.revokePath(pending), h.revokePath(pending), nil).expectRedirect(h.collaboratorsPath())
	a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {h.invitee.Email}}).
		expectRedirect(h.collaboratorsPath())
	if m, ok := h.row(h.invitee.Email); !ok || m.ID == pending.ID || m.Status != "pending" {
		t.Errorf("row after inviting again: %+v (live: %v)", m, ok)
	}
}
