package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"dbcollab/store"
)

// dashboardRoute is a route under /databases/:db, as the route table writes it.
type dashboardRoute struct {
	method, path string
	// effect reports whether the request did what it asks for target (a fresh pending
	// invitation) or fresh (an address nobody invited). Nil for pages.
	effect func(h *harness, target store.Collaborator, fresh string) bool
}

var dashboardRoutes = []dashboardRoute{
	{method: http.MethodGet, path: ""},
	{method: http.MethodGet, path: "/settings"},
	{method: http.MethodGet, path: "/settings/collaborators"},
	{method: http.MethodPost, path: "/settings/collaborators", effect: func(h *harness, _ store.Collaborator, fresh string) bool {
		_, invited := h.row(fresh)
		return invited
	}},
	{method: http.MethodGet, path: "/settings/collaborators/:id/revoke"},
	{method: http.MethodPost, path: "/settings/collaborators/:id/revoke", effect: func(h *harness, target store.Collaborator, _ string) bool {
		_, live := h.row(target.Email)
		return !live
	}},
	{method: http.MethodPost, path: "/settings/collaborators/:id/resend", effect: func(h *harness, target store.Collaborator, _ string) bool {
		now, _ := h.row(target.Email)
		return !bytes.Equal(now.TokenHash, target.TokenHash)
	}},
}

// TestEveryDashboardRouteIsInTheRoleMatrix keeps the matrix below complete.
func TestEveryDashboardRouteIsInTheRoleMatrix(t *testing.T) {
	h := newHarness(t)
	inMatrix := map[string]bool{}
	for _, r := range dashboardRoutes {
		inMatrix[r.method+" /databases/:db"+r.path] = true
	}
	served := map[string]bool{}
	for _, r := range h.server.Routes().Routes() {
		underDatabase := r.Path == "/databases/:db" || strings.HasPrefix(r.Path, "/databases/:db/")
		if underDatabase && r.Method != echo.RouteNotFound {
			served[r.Method+" "+r.Path] = true
		}
	}
	for route := range served {
		if !inMatrix[route] {
			t.Errorf("%s is not in the role matrix", route)
		}
	}
	for route := range inMatrix {
		if !served[route] {
			t.Errorf("%s is in the role matrix but not served", route)
		}
	}
}

// TestRoleMatrix runs every route of a database's dashboard, by name and by ID, as each
// role. Strangers, pending invitees and removed collaborators get the very page a
// database that does not exist gets; members get the page or the action.
func TestRoleMatrix(t *testing.T) {
	base := newHarness(t)
	removed := base.signup("rita@example.com", "rita")
	base.invite(base.owner, removed.Email)
	if _, err := base.svc.AcceptInvitation(t.Context(), removed.ID, base.invitationToken(removed.Email)); err != nil {
		t.Fatal(err)
	}
	removedActor := base.signedIn(removed)
	removedActor.get(base.path("")).expectStatus(http.StatusOK)
	row, _ := base.row(removed.Email)
	base.signedIn(base.owner).submit(base.revokePath(row), base.revokePath(row), nil).expectRedirect(base.collaboratorsPath())

	type role int
	const (
		anonymous role = iota
		outsider
		member
	)
	actors := []struct {
		name string
		a    *actor
		role role
	}{
		{"anonymous", base.anonymous(), anonymous},
		{"stranger", base.signedIn(base.stranger), outsider},
		{"pending invitee", base.signedIn(base.invitee), outsider},
		{"removed collaborator", removedActor, outsider},
		{"collaborator", base.signedIn(base.collaborator), member},
		{"owner", base.signedIn(base.owner), member},
	}
	refs := []struct{ name, ref, missing string }{
		{"by name", dbName, "no-such-db"},
		{"by ID", base.db.ID, "db_000000000000000000000000"},
	}

	n := 0
	for _, actor := range actors {
		token := actor.a.token()
		for _, route := range dashboardRoutes {
			for _, ref := range refs {
				t.Run(fmt.Sprintf("%s/%s %s/%s", actor.name, route.method, route.path, ref.name), func(t *testing.T) {
					h := base.in(t)
					a := actor.a.withT(h)
					n++
					target := h.invite(h.owner, fmt.Sprintf("target-%d@example.com", n))
					fresh := fmt.Sprintf("fresh-%d@example.com", n)
					send := func(ref string) *response {
						path := "/databases/" + ref + strings.ReplaceAll(route.path, ":id", itoa(target.ID))
						if route.method == http.MethodGet {
							return a.get(path)
						}
						return a.postWithToken(path, url.Values{"email": {fresh}}, token)
					}

					r := send(ref.ref)
					switch actor.role {
					case anonymous:
						r.expectRedirect("/login")
					case outsider:
						r.expectStatus(http.StatusNotFound)
						if missing := send(ref.missing); r.body != missing.body {
							t.Errorf("the 404 differs from a missing database's:\n%s\n---\n%s", r.body, missing.body)
						}
					case member:
						if route.method == http.MethodGet {
							r.expectStatus(http.StatusOK)
							if got := r.text("[data-testid=database-name]"); got != dbName {
								t.Errorf("page of database %q", got)
							}
						} else {
							r.expectRedirect(h.collaboratorsPath())
						}
					}
					if route.effect != nil {
						if done := route.effect(h, target, fresh); done != (actor.role == member) {
							t.Errorf("effect happened: %v", done)
						}
					}
				})
			}
		}
	}
}

// withT returns the actor, reporting to h's test.
func (a *actor) withT(h *harness) *actor { return &actor{h: h, client: a.client} }

func TestAnonymousVisitorIsSentToLogIn(t *testing.T) {
	h := newHarness(t)
	a := h.anonymous()
	token := a.token()
	for _, path := range []string{"/", "/databases/new", "/databases/no-such-db"} {
		a.get(path).expectRedirect("/login")
	}
	for _, path := range []string{"/databases", "/invitation"} {
		a.postWithToken(path, url.Values{"name": {"anon-db"}, "plan": {"postgresql-dr-starter-4096"}}, token).expectRedirect("/login")
	}
	if _, err := h.svc.Database(t.Context(), h.owner.ID, "anon-db"); err == nil {
		t.Error("an anonymous visitor created a database")
	}
}

func TestUnknownPathsAreNotFound(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	for _, path := range []string{"/nothing", "/databases/" + dbName + "/nothing", "/databases/" + dbName + "/settings/nothing"} {
		a.get(path).expectStatus(http.StatusNotFound)
	}
}
