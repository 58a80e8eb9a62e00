package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dbcollab/internal/testkit"
	"dbcollab/links"
)

// The rules layer's race tests (service/race_test.go) prove the rows; this one proves
// the whole server: through the form and the API at once, from the owner and a
// collaborator, one address in mixed case is invited once, and nobody sees a 5xx.
func TestConcurrentInvitationsOfOneAddressOverHTTP(t *testing.T) {
	w := newMatrixWorld(t, false)
	const n = 100
	statuses := make([]int, n)
	fns := make([]func(), n)
	for i := range fns {
		r := []role{owner, collaborator}[i%2]
		address := "dave@example.com"
		if i%4 >= 2 {
			address = "DAVE@Example.COM"
		}
		a := w.browsers[r]
		if i%8 < 4 {
			fns[i] = func() {
				statuses[i] = a.postWithToken(collaboratorsTab, url.Values{"email": {address}}, w.csrf[r]).status
			}
		} else {
			fns[i] = func() {
				statuses[i] = a.api(http.MethodPost, "/v1/databases/"+dbName+"/collaborators", w.auth[r],
					fmt.Sprintf(`{"collaborator": {"email": %q}}`, address)).status
			}
		}
	}
	testkit.AtOnce(fns...)

	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	t.Logf("%d concurrent invitations of one address over HTTP: %v", n, counts)
	if invited := counts[http.StatusSeeOther] + counts[http.StatusCreated]; invited != 1 || counts[http.StatusConflict] != n-1 {
		t.Errorf("answers by status %v; want one invitation and %d conflicts", counts, n-1)
	}
	if got := countRows(t, w.db, `SELECT count(*) FROM collaborators WHERE email = 'dave@example.com'`); got != 1 {
		t.Errorf("%d rows for dave@example.com, want 1", got)
	}
	if got := countRows(t, w.db, `SELECT count(*) FROM outbox WHERE to_addr = 'dave@example.com'`); got != 1 {
		t.Errorf("%d e-mails queued to dave@example.com, want 1", got)
	}
}

// Two collaborators revoke each other at the same instant, one in the dashboard and
// one through the API: one ends the other's access, the other finds its author has
// just lost theirs (404); nobody sees a 5xx, and nobody sees the database without a
// live row.
func TestCollaboratorsRevokingEachOtherOverHTTP(t *testing.T) {
	w := newMatrixWorld(t, false)
	outcomes := map[string]int{}
	for i := range 10 {
		var browsers [2]*actor
		var auth [2]string
		var rows [2]int64
		emails := [2]string{fmt.Sprintf("alpha%d@example.com", i), fmt.Sprintf("beta%d@example.com", i)}
		for j, email := range emails {
			u := w.h.signup(email, strings.TrimSuffix(email, "@example.com"))
			w.h.invite(w.h.owner, u.Email)
			if _, err := w.h.svc.AcceptInvitation(t.Context(), u.ID, w.h.invitationToken(u.Email)); err != nil {
				t.Fatal(err)
			}
			browsers[j] = w.browser(w.h)
			browsers[j].login(u.Email, password).expectRedirect("/")
			token, _, err := w.h.svc.CreateAPIToken(t.Context(), u.ID, "race")
			if err != nil {
				t.Fatal(err)
			}
			auth[j] = "Bearer " + token
			row, _ := w.h.row(u.Email)
			rows[j] = row.ID
		}
		csrf := browsers[0].token()
		var web, api int
		testkit.AtOnce(
			func() {
				web = browsers[0].postWithToken(fmt.Sprintf("%s/%d/revoke", collaboratorsTab, rows[1]), nil, csrf).status
			},
			func() {
				api = browsers[1].api(http.MethodDelete, fmt.Sprintf("/v1/databases/%s/collaborators/%d", dbName, rows[0]), auth[1], "").status
			},
		)
		// Each revocation runs in one transaction with its author's membership check:
		// whichever commits first removes the other's right to revoke.
		webDone, apiDone := web == http.StatusSeeOther, api == http.StatusNoContent
		if webDone == apiDone || (!webDone && web != http.StatusNotFound) || (!apiDone && api != http.StatusNotFound) {
			t.Fatalf("round %d: web %d, API %d; want one revocation and one 404", i, web, api)
		}
		outcomes[map[bool]string{true: "the dashboard's won", false: "the API's won"}[webDone]]++
		for j, b := range browsers {
			sees := b.get(links.Database(dbName)).status == http.StatusOK
			if _, live := w.h.row(emails[j]); sees != live {
				t.Fatalf("round %d: %s sees the database: %v, has a live row: %v", i, emails[j], sees, live)
			}
		}
	}
	t.Logf("two collaborators revoking each other over HTTP, 10 rounds: %v", outcomes)
}
