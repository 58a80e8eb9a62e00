package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"dbcollab/handlers"
	"dbcollab/links"
)

// TestEveryLinkIsARoute: each URL package links spells leads to a route of the table,
// so a link and its route cannot drift apart.
func TestEveryLinkIsARoute(t *testing.T) {
	e := (&handlers.Server{}).Routes()
	all := []struct{ method, url string }{
		{http.MethodGet, links.Home},
		{http.MethodGet, links.Login},
		{http.MethodGet, links.NewDatabase},
		{http.MethodPost, links.Databases},
		{http.MethodGet, links.Invitation},
		{http.MethodPost, links.Invitation},
		{http.MethodGet, links.InvitationLink("token")},
		{http.MethodGet, links.Database("orders")},
		{http.MethodGet, links.Settings("orders")},
		{http.MethodGet, links.Collaborators("orders")},
		{http.MethodPost, links.Collaborators("orders")},
		{http.MethodGet, links.Activity("orders", 2)},
		{http.MethodGet, links.TabPage("orders", "bob", "pending", 2, 3)},
		{http.MethodGet, links.Revoke("orders", 7)},
		{http.MethodPost, links.Revoke("orders", 7)},
		{http.MethodPost, links.Resend("orders", 7)},
		{http.MethodGet, links.MakeOwner("orders", 7)},
		{http.MethodPost, links.MakeOwner("orders", 7)},
		{http.MethodGet, links.APIDatabases},
		{http.MethodGet, links.APIDatabase("db_1")},
		{http.MethodGet, links.APICollaborators("db_1")},
		{http.MethodPost, links.APICollaborators("db_1")},
		{http.MethodDelete, links.APICollaborator("db_1", "7")},
		{http.MethodGet, links.APIEvents("db_1")},
		{http.MethodPost, links.APIOwner("db_1")},
		{http.MethodGet, links.APICredentials("db_1")},
		{http.MethodPost, links.APICredentials("db_1")},
		{http.MethodPost, links.Credentials("orders")},
		{http.MethodPost, links.Logout},
		{http.MethodGet, links.Account},
		{http.MethodPost, links.AccountTokens},
		{http.MethodPost, links.RevokeAccountToken(7)},
		{http.MethodPost, links.APITokens},
		{http.MethodDelete, links.APICurrentToken},
		{http.MethodPost, links.AccountDelete},
		{http.MethodPost, links.DeleteDatabase("orders")},
		{http.MethodDelete, links.APIDatabase("db_1")},
		{http.MethodGet, links.ForgotPassword},
		{http.MethodPost, links.ForgotPassword},
		{http.MethodGet, links.PasswordResetLink("token")},
		{http.MethodGet, links.PasswordReset},
		{http.MethodPost, links.PasswordReset},
		{http.MethodPost, links.LogoutSession(7)},
		{http.MethodPost, links.LogoutOtherSessions},
		{http.MethodPost, links.AccountPassword},
		{http.MethodPost, links.AccountEmail},
		{http.MethodGet, links.EmailConfirmationLink("token")},
		{http.MethodGet, links.EmailConfirmation},
		{http.MethodPost, links.EmailConfirmation},
	}
	for _, l := range all {
		u, err := url.Parse(l.url)
		if err != nil {
			t.Fatalf("%s: %v", l.url, err)
		}
		c := e.NewContext(nil, nil)
		e.Router().Find(l.method, u.Path, c)
		if route := c.Path(); route == "" || route == "/*" {
			t.Errorf("%s %s leads to no route (%q)", l.method, l.url, route)
		}
	}
	t.Logf("%d links, each a route of the table", len(all))
}
