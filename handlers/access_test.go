package handlers_test

import (
	"net/http"
	"testing"
)

// What the authorization matrix (matrix_test.go) checks is each route's status and
// effect; these check what it does not visit or does not read.

// TestMembersSeeTheirDatabaseByNameOrID: every page of a database's dashboard, named
// by name or by ID, is the page of that database for its owner and its collaborators.
func TestMembersSeeTheirDatabaseByNameOrID(t *testing.T) {
	h := newHarness(t)
	pending, _ := h.row(h.invitee.Email)
	for _, member := range []*actor{h.signedIn(h.owner), h.signedIn(h.collaborator)} {
		for _, ref := range []string{dbName, h.db.ID} {
			for _, rest := range []string{"", "/settings", "/settings/collaborators", "/settings/collaborators/" + itoa(pending.ID) + "/revoke"} {
				r := member.get("/databases/" + ref + rest).expectStatus(http.StatusOK)
				if got := r.text("[data-testid=database-name]"); got != dbName {
					t.Errorf("%s: page of database %q, want %q", r.what, got, dbName)
				}
			}
		}
	}
}

// An anonymous visitor is sent to log in whether or not the database exists: the
// redirect tells nothing.
func TestAnonymousVisitorIsSentToLogInForAMissingDatabase(t *testing.T) {
	h := newHarness(t)
	h.anonymous().get("/databases/no-such-db").expectRedirect("/login")
}

// TestUnknownPathsAreNotFound: a path naming nothing, at any depth, or a database that
// does not exist, is a hardened HTML 404 page.
func TestUnknownPathsAreNotFound(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	for _, path := range []string{"/nothing", "/databases/" + dbName + "/nothing", "/databases/" + dbName + "/settings/nothing", "/databases/no-such-db"} {
		expectHardened(t, a.get(path).expectStatus(http.StatusNotFound), false)
	}
}
