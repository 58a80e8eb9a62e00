package handlers_test

import (
	"net/http"
	"testing"

	"dbcollab/links"
)

// Without --postgres-url the Overview says so plainly, to every member, and offers no
// credentials.
func TestOverviewSaysNoPostgreSQLServerIsAttached(t *testing.T) {
	h := newHarness(t)
	for name, a := range map[string]*actor{"owner": h.signedIn(h.owner), "collaborator": h.signedIn(h.collaborator)} {
		r := a.get(links.Database(dbName)).expectStatus(http.StatusOK)
		if got := r.text(`[data-testid=connect] [data-testid=no-postgres]`); got != "No PostgreSQL server is attached to this dashboard: there is no database to connect to yet." {
			t.Errorf("%s: the Connect card says %q", name, got)
		}
		if n := r.doc.Find(`[data-testid=credentials], [data-testid=usage], form[action="` + links.Credentials(dbName) + `"]`).Length(); n != 0 {
			t.Errorf("%s: %d credentials, usage or reset elements without a server", name, n)
		}
	}
}
