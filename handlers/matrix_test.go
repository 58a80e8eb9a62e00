package handlers_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"dbcollab/internal/teststore"
	"dbcollab/static"
	"dbcollab/store"
)

// role is a column of the authorization matrix.
type role int

const (
	anonymous role = iota
	stranger
	pendingInvitee
	collaborator
	owner
	// revoked was a collaborator and still holds a session cookie and an API token.
	revoked
	roleCount
)

var roleNames = [roleCount]string{"anonymous", "stranger", "pending invitee", "collaborator", "owner", "revoked collaborator"}

func (r role) String() string { return roleNames[r] }

// outcome is what one role gets from one route.
type outcome struct {
	status int
	// location is where a 303 leads; {name} stands for the case's fresh name.
	location string
	// hidden: the 404 must be the very answer for a database (or token) that does not exist.
	hidden bool
	// acts: the request must take effect (checked by the route's done, when it has one);
	// for every other outcome it must not.
	acts bool
}

var (
	ok      = outcome{status: http.StatusOK}
	okActs  = outcome{status: http.StatusOK, acts: true}
	toLogin = outcome{status: http.StatusSeeOther, location: "/login"}
	toHome  = outcome{status: http.StatusSeeOther, location: "/"}
	hide    = outcome{status: http.StatusNotFound, hidden: true}
	lost    = outcome{status: http.StatusNotFound}
	e401    = outcome{status: http.StatusUnauthorized}
	e422    = outcome{status: http.StatusUnprocessableEntity}
	e409    = outcome{status: http.StatusConflict}
	made    = outcome{status: http.StatusCreated, acts: true}
	gone    = outcome{status: http.StatusNoContent, acts: true}
)

// refusedToTab is a 303 back to the Collaborators tab, with the reason, that changed nothing.
var refusedToTab = outcome{status: http.StatusSeeOther, location: collaboratorsTab}

// refusedToSettings is a 303 back to the case's database's Settings, with the reason,
// that changed nothing.
var refusedToSettings = outcome{status: http.StatusSeeOther, location: "/databases/{name}/settings"}

// did is a 303 to location after the request took effect.
func did(location string) outcome {
	return outcome{status: http.StatusSeeOther, location: location, acts: true}
}

// roles lists the outcomes in column order.
func roles(anon, stranger, invitee, collaborator, owner, revoked outcome) [roleCount]outcome {
	return [roleCount]outcome{anon, stranger, invitee, collaborator, owner, revoked}
}

func everyone(o outcome) [roleCount]outcome { return roles(o, o, o, o, o, o) }

// collaboratorsTab is where every change on the seeded database's collaborators leads,
// whether the database was named by name or by ID.
const collaboratorsTab = "/databases/" + dbName + "/settings/collaborators"

// matrixRoute is a row of the matrix: a route as the route table writes it, what each
// role gets, how to make a request that would succeed for whoever may make it, and
// whether it took effect.
type matrixRoute struct {
	method, path string
	// as is the request to make, "METHOD /path", when it is not method and path as they
	// are: for a wildcard, or a route that only answers what matches nothing else.
	as   string
	want [roleCount]outcome
	// setup prepares the case: what the path names, the form or JSON body, prior steps.
	setup func(c *matrixCase)
	// done reports whether the request took effect; nil for pages.
	done func(c *matrixCase) bool
}

// The authorization matrix. Columns: anonymous, stranger, pending invitee,
// collaborator, owner, revoked collaborator. Every route the server registers must
// have a row (TestAuthorizationMatrix fails otherwise).
var matrixRoutes = []matrixRoute{
	{method: http.MethodGet, path: "/healthz", want: everyone(ok)},
	{method: http.MethodGet, path: "/favicon.ico", want: everyone(outcome{status: http.StatusNoContent})},
	{method: http.MethodGet, path: "/static/*", as: "GET " + static.URL("app.css"), want: everyone(ok)},

	// What the router answers when no route matches: a 404 that says nothing, behind the
	// same sign-in as the routes next to it.
	{method: echo.RouteNotFound, path: "/*", as: "GET /no-such-page", want: everyone(lost)},
	{method: echo.RouteNotFound, path: "/", as: "POST /", want: everyone(lost)},
	{method: echo.RouteNotFound, path: "/databases/:db", as: "POST /databases/:db", want: everyone(hide)},
	{method: echo.RouteNotFound, path: "/databases/:db/*", as: "GET /databases/:db/no-such-page", want: roles(toLogin, hide, hide, hide, hide, hide)},
	{method: echo.RouteNotFound, path: "/v1", as: "GET /v1", want: everyone(lost)},
	{method: echo.RouteNotFound, path: "/v1/*", as: "GET /v1/no-such-endpoint", want: everyone(lost)},

	{method: http.MethodGet, path: "/signup", want: roles(ok, toHome, toHome, toHome, toHome, toHome)},
	// Every sign-up is told to check its mailbox; the account waits for its confirmation.
	{method: http.MethodPost, path: "/signup", want: everyone(outcome{status: http.StatusOK, acts: true}),
		setup: func(c *matrixCase) {
			c.form = url.Values{"email": {c.name + "@example.com"}, "username": {c.name}, "password": {password}}
		},
		done: func(c *matrixCase) bool {
			return c.count(`SELECT count(*) FROM users WHERE username = $1`, c.name) == 1
		}},
	{method: http.MethodGet, path: "/signup/confirm/:token", want: everyone(outcome{status: http.StatusSeeOther, location: "/signup/confirm"}),
		setup: func(c *matrixCase) { c.token = c.h.requestSignup(c.name) }},
	{method: http.MethodGet, path: "/signup/confirm", want: everyone(ok),
		setup: func(c *matrixCase) {
			c.a.get("/signup/confirm/" + c.h.requestSignup(c.name)).expectRedirect("/signup/confirm")
		}},
	{method: http.MethodPost, path: "/signup/confirm", want: everyone(did("/login")),
		setup: func(c *matrixCase) {
			c.a.get("/signup/confirm/" + c.h.requestSignup(c.name)).expectRedirect("/signup/confirm")
		},
		done: func(c *matrixCase) bool {
			return c.count(`SELECT count(*) FROM users WHERE username = $1 AND verified_at IS NOT NULL`, c.name) == 1
		}},
	{method: http.MethodGet, path: "/login", want: roles(ok, toHome, toHome, toHome, toHome, toHome)},
	{method: http.MethodPost, path: "/login", want: everyone(did("/")),
		setup: func(c *matrixCase) { c.form = url.Values{"email": {c.w.lena.Email}, "password": {password}} },
		done:  func(c *matrixCase) bool { return c.signedInAs() == c.w.lena.Username }},
	{method: http.MethodPost, path: "/logout", want: everyone(did("/login")),
		setup: func(c *matrixCase) { c.ownSession() },
		done:  func(c *matrixCase) bool { return c.signedInAs() == "" }},
	// Asking for a password reset is answered alike by everyone, signed in or not.
	{method: http.MethodGet, path: "/password/forgot", want: everyone(ok)},
	{method: http.MethodPost, path: "/password/forgot", want: everyone(okActs),
		setup: func(c *matrixCase) { c.form = url.Values{"email": {c.caseAccount().Email}} },
		done: func(c *matrixCase) bool {
			return c.count(`SELECT count(*) FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.username = $1`, c.name) == 1
		}},
	{method: http.MethodGet, path: "/password/reset/:token", want: everyone(outcome{status: http.StatusSeeOther, location: "/password/reset"}),
		setup: func(c *matrixCase) { c.token = c.h.resetToken(c.caseAccount()) }},
	{method: http.MethodGet, path: "/password/reset", want: everyone(ok),
		setup: func(c *matrixCase) {
			c.a.get("/password/reset/" + c.h.resetToken(c.caseAccount())).expectRedirect("/password/reset")
		}},
	// The link alone sets the password, and signs the browser in to its account.
	{method: http.MethodPost, path: "/password/reset", want: everyone(did("/")),
		setup: func(c *matrixCase) {
			c.a.get("/password/reset/" + c.h.resetToken(c.caseAccount())).expectRedirect("/password/reset")
			c.form = url.Values{"password": {"a-new-password-for-" + c.name}}
		},
		done: func(c *matrixCase) bool { return c.signedInAs() == c.name }},
	{method: http.MethodGet, path: "/account/email/confirm/:token", want: everyone(outcome{status: http.StatusSeeOther, location: "/account/email/confirm"}),
		setup: func(c *matrixCase) { c.token = c.h.emailChangeToken(c.caseAccount(), c.name+"-new@example.com") }},
	{method: http.MethodGet, path: "/account/email/confirm", want: everyone(ok),
		setup: func(c *matrixCase) {
			c.a.get("/account/email/confirm/" + c.h.emailChangeToken(c.caseAccount(), c.name+"-new@example.com"))
		}},
	// The link proves the new mailbox: whoever follows it confirms, signed in or not.
	{method: http.MethodPost, path: "/account/email/confirm", want: roles(did("/login"), did("/account"), did("/account"), did("/account"), did("/account"), did("/account")),
		setup: func(c *matrixCase) {
			c.a.get("/account/email/confirm/" + c.h.emailChangeToken(c.caseAccount(), c.name+"-new@example.com"))
		},
		done: func(c *matrixCase) bool {
			return c.count(`SELECT count(*) FROM users WHERE username = $1 AND email = $2`, c.name, c.name+"-new@example.com") == 1
		}},

	{method: http.MethodGet, path: "/invitations/:token", want: everyone(outcome{status: http.StatusSeeOther, location: "/invitation"}),
		setup: func(c *matrixCase) { c.token = c.h.inviteeToken }},
	{method: http.MethodGet, path: "/invitation", want: everyone(ok),
		setup: func(c *matrixCase) { c.a.get("/invitations/" + c.h.inviteeToken) }},
	// Only the invited address may accept: everyone else is told it was sent to someone else.
	{method: http.MethodPost, path: "/invitation", want: roles(toLogin, e422, did("/databases/{name}"), e422, e422, e422),
		setup: openFreshInvitation,
		done:  func(c *matrixCase) bool { return c.isMember(c.w.users[pendingInvitee], c.name) }},

	{method: http.MethodGet, path: "/", want: roles(toLogin, ok, ok, ok, ok, ok)},
	{method: http.MethodGet, path: "/databases/new", want: roles(toLogin, ok, ok, ok, ok, ok)},
	{method: http.MethodPost, path: "/databases", want: roles(toLogin, did("/databases/{name}"), did("/databases/{name}"), did("/databases/{name}"), did("/databases/{name}"), did("/databases/{name}")),
		setup: func(c *matrixCase) { c.form = url.Values{"name": {c.name}, "plan": {"postgresql-dr-starter-4096"}} },
		done: func(c *matrixCase) bool {
			return c.count(`SELECT count(*) FROM databases WHERE name = $1`, c.name) == 1
		}},
	{method: http.MethodGet, path: "/account", want: roles(toLogin, ok, ok, ok, ok, ok)},
	{method: http.MethodPost, path: "/account/tokens", want: roles(toLogin, did("/account"), did("/account"), did("/account"), did("/account"), did("/account")),
		setup: func(c *matrixCase) { c.form = url.Values{"name": {c.name}, "expires_in_days": {"30"}} },
		done:  tokenNamedAfterCase},
	// Someone else's token is as unknown as a token that does not exist.
	{method: http.MethodPost, path: "/account/tokens/:id/revoke", want: roles(toLogin, hide, hide, hide, did("/account"), hide),
		setup: func(c *matrixCase) { c.id = c.ownerToken() },
		done:  func(c *matrixCase) bool { return c.count(`SELECT count(*) FROM api_tokens WHERE id = $1`, c.id) == 0 }},

	// Each case deletes an account made for it in the role's place (see standIn); the
	// owner's is refused while it owns the database.
	{method: http.MethodPost, path: "/account/delete", want: roles(toLogin, did("/login"), did("/login"), did("/login"), e409, did("/login")),
		setup: standIn, done: standInDeleted},
	// Someone else's session is as unknown as a session that does not exist.
	{method: http.MethodPost, path: "/account/sessions/:id/logout", want: roles(toLogin, hide, hide, hide, did("/account"), hide),
		setup: func(c *matrixCase) {
			if _, err := c.h.svc.StartSession(c.t.Context(), c.h.owner.ID, "Firefox/1 Linux", c.name); err != nil {
				c.t.Fatal(err)
			}
			c.id = int64(c.count(`SELECT max(id) FROM sessions WHERE client_addr = $1`, c.name))
		},
		done: func(c *matrixCase) bool { return c.count(`SELECT count(*) FROM sessions WHERE id = $1`, c.id) == 0 }},
	{method: http.MethodPost, path: "/account/sessions/logout-others", want: roles(toLogin, did("/account"), did("/account"), did("/account"), did("/account"), did("/account")),
		setup: func(c *matrixCase) { c.endsOtherSessions() },
		done:  func(c *matrixCase) bool { return c.role != anonymous && c.sessionsOf(c.w.users[c.role]) == 1 }},
	// The same password again: a new hash, and the other sessions end.
	{method: http.MethodPost, path: "/account/password", want: roles(toLogin, did("/account"), did("/account"), did("/account"), did("/account"), did("/account")),
		setup: func(c *matrixCase) {
			c.endsOtherSessions()
			c.keepsPassword()
			c.form = url.Values{"current_password": {password}, "new_password": {password}}
		},
		done: func(c *matrixCase) bool { return c.role != anonymous && c.sessionsOf(c.w.users[c.role]) == 1 }},
	{method: http.MethodPost, path: "/account/email", want: roles(toLogin, did("/account"), did("/account"), did("/account"), did("/account"), did("/account")),
		setup: func(c *matrixCase) {
			c.form = url.Values{"new_email": {c.name + "@example.com"}, "email_password": {password}}
		},
		done: func(c *matrixCase) bool {
			return c.count(`SELECT count(*) FROM email_changes WHERE new_email = $1`, c.name+"@example.com") == 1
		}},

	{method: http.MethodGet, path: "/databases/:db", want: roles(toLogin, hide, hide, ok, ok, hide)},
	// A member's own password is reset, and shown on the answer.
	{method: http.MethodPost, path: "/databases/:db/credentials", want: roles(toLogin, hide, hide, okActs, okActs, hide),
		setup: rememberVerifier, done: verifierChanged},
	{method: http.MethodGet, path: "/databases/:db/settings", want: roles(toLogin, hide, hide, ok, ok, hide)},
	// Each case deletes a database made for it, where every role stands as on the
	// seeded one (see disposableDatabase). Only the owner may: a collaborator is sent
	// back to Settings with the reason.
	{method: http.MethodPost, path: "/databases/:db/settings/delete", want: roles(toLogin, hide, hide, refusedToSettings, did("/"), hide),
		setup: disposableDatabase, done: caseDatabaseDeleted},
	{method: http.MethodGet, path: "/databases/:db/settings/collaborators", want: roles(toLogin, hide, hide, ok, ok, hide)},
	{method: http.MethodPost, path: "/databases/:db/settings/collaborators", want: roles(toLogin, hide, hide, did(collaboratorsTab), did(collaboratorsTab), hide),
		setup: func(c *matrixCase) { c.form = url.Values{"email": {c.name + "@example.com"}} },
		done:  invitedCaseAddress},
	{method: http.MethodGet, path: "/databases/:db/settings/collaborators/:id/revoke", want: roles(toLogin, hide, hide, ok, ok, hide)},
	{method: http.MethodPost, path: "/databases/:db/settings/collaborators/:id/revoke", want: roles(toLogin, hide, hide, did(collaboratorsTab), did(collaboratorsTab), hide),
		done: targetRevoked},
	{method: http.MethodPost, path: "/databases/:db/settings/collaborators/:id/resend", want: roles(toLogin, hide, hide, did(collaboratorsTab), did(collaboratorsTab), hide),
		done: targetResent},
	// Only the owner may make a collaborator the owner: a collaborator is sent back to the
	// tab with the reason.
	{method: http.MethodGet, path: "/databases/:db/settings/collaborators/:id/owner", want: roles(toLogin, hide, hide, refusedToTab, ok, hide),
		setup: acceptedTarget},
	{method: http.MethodPost, path: "/databases/:db/settings/collaborators/:id/owner", want: roles(toLogin, hide, hide, refusedToTab, did(collaboratorsTab), hide),
		setup: acceptedTarget, done: targetOwns},

	// The JSON API: the bearer token alone authenticates; the browser's cookies go along
	// with every request below and must count for nothing.
	{method: http.MethodPost, path: "/v1/tokens", want: everyone(made),
		setup: func(c *matrixCase) {
			c.json = fmt.Sprintf(`{"email": %q, "password": %q, "name": %q}`, c.w.lena.Email, password, c.name)
		},
		done: tokenNamedAfterCase},
	// Logging out revokes the token it is called with: each case brings a fresh one, so
	// that the role's own token outlives the case.
	{method: http.MethodDelete, path: "/v1/tokens/current", want: roles(e401, gone, gone, gone, gone, gone),
		setup: func(c *matrixCase) { c.auth = c.freshToken() },
		done:  func(c *matrixCase) bool { return !tokenNamedAfterCase(c) }},
	{method: http.MethodGet, path: "/v1/databases", want: roles(e401, ok, ok, ok, ok, ok)},
	{method: http.MethodGet, path: "/v1/databases/:db", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodDelete, path: "/v1/databases/:db", want: roles(e401, hide, hide, e422, gone, hide),
		setup: disposableDatabase, done: caseDatabaseDeleted},
	{method: http.MethodGet, path: "/v1/databases/:db/events", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodGet, path: "/v1/databases/:db/collaborators", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodPost, path: "/v1/databases/:db/collaborators", want: roles(e401, hide, hide, made, made, hide),
		setup: func(c *matrixCase) { c.json = fmt.Sprintf(`{"collaborator": {"email": %q}}`, c.name+"@example.com") },
		done:  invitedCaseAddress},
	{method: http.MethodDelete, path: "/v1/databases/:db/collaborators/:id", want: roles(e401, hide, hide, gone, gone, hide),
		done: targetRevoked},
	{method: http.MethodPost, path: "/v1/databases/:db/collaborators/:id/resend", want: roles(e401, hide, hide, okActs, okActs, hide),
		done: targetResent},
	{method: http.MethodPost, path: "/v1/databases/:db/owner", want: roles(e401, hide, hide, e422, okActs, hide),
		setup: acceptedTarget, done: targetOwns},
	{method: http.MethodGet, path: "/v1/databases/:db/credentials", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodPost, path: "/v1/databases/:db/credentials", want: roles(e401, hide, hide, made, made, hide),
		setup: rememberVerifier, done: verifierChanged},

	// The Scalingo-compatible API: the exchange takes the role's API token as Basic
	// auth, every other route the access token it gives (see sendTo).
	{method: http.MethodPost, path: "/v1/tokens/exchange", want: roles(e401, ok, ok, ok, ok, ok)},
	{method: http.MethodGet, path: "/v1/regions", want: everyone(ok)},
	{method: http.MethodGet, path: "/v1/users/self", want: roles(e401, ok, ok, ok, ok, ok)},
	{method: http.MethodGet, path: "/v1/apps/:db", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodGet, path: "/v1/apps/:db/addons", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodGet, path: "/v1/apps/:db/collaborators", want: roles(e401, hide, hide, ok, ok, hide)},
	{method: http.MethodPost, path: "/v1/apps/:db/collaborators", want: roles(e401, hide, hide, made, made, hide),
		setup: func(c *matrixCase) {
			c.json = fmt.Sprintf(`{"collaborator": {"email": %q, "is_limited": false}}`, c.name+"@example.com")
		},
		done: invitedCaseAddress},
	{method: http.MethodDelete, path: "/v1/apps/:db/collaborators/:id", want: roles(e401, hide, hide, gone, gone, hide),
		done: targetRevoked},
}

// rememberVerifier keeps the password verifier of the case's role, if it has a login.
func rememberVerifier(c *matrixCase) {
	if r, err := c.h.store.LiveAccessRole(c.t.Context(), c.h.db.ID, c.w.users[c.role].ID); err == nil {
		c.verifier = r.Verifier
	}
}

// verifierChanged: the case's role has a login whose password is no longer the one before.
func verifierChanged(c *matrixCase) bool {
	r, err := c.h.store.LiveAccessRole(c.t.Context(), c.h.db.ID, c.w.users[c.role].ID)
	return err == nil && r.Verifier != c.verifier
}

// tokenNamedAfterCase: an API token named after the case exists.
func tokenNamedAfterCase(c *matrixCase) bool {
	return c.count(`SELECT count(*) FROM api_tokens WHERE name = $1`, c.name) == 1
}

// invitedCaseAddress: the case's address has a live row on the seeded database.
func invitedCaseAddress(c *matrixCase) bool {
	_, invited := c.h.row(c.name + "@example.com")
	return invited
}

// targetRevoked: the case's pending invitation is no longer live.
func targetRevoked(c *matrixCase) bool {
	_, live := c.h.row(c.target.Email)
	return !live
}

// targetResent: the case's pending invitation has a new link.
func targetResent(c *matrixCase) bool {
	now, live := c.h.row(c.target.Email)
	return live && !bytes.Equal(now.TokenHash, c.target.TokenHash)
}

// acceptedTarget makes the case's target an accepted collaborator, the one a transfer
// names, and hands the seeded database back to its owner when the case ends.
func acceptedTarget(c *matrixCase) {
	email := c.name + "-target@example.com"
	if c.target.ID == 0 {
		c.target = c.h.invite(c.h.owner, email)
	}
	u := c.h.signup(email, c.name+"-target")
	if _, err := c.h.svc.AcceptInvitation(c.t.Context(), u.ID, c.h.invitationToken(email)); err != nil {
		c.t.Fatal(err)
	}
	c.json = fmt.Sprintf(`{"email": %q}`, email)
	c.t.Cleanup(func() {
		if targetOwns(c) {
			if _, err := c.h.svc.TransferOwnership(context.Background(), u.ID, dbName, c.h.owner.Email); err != nil {
				c.t.Error(err)
			}
		}
	})
}

// targetOwns: the case's target owns the seeded database. It also runs in the case's
// cleanup, when the test's context is done.
func targetOwns(c *matrixCase) bool {
	var n int
	if err := c.w.db.QueryRowContext(context.Background(), `SELECT count(*) FROM databases d
		JOIN collaborators m ON m.user_id = d.owner_id WHERE d.id = $1 AND m.id = $2`, c.h.db.ID, c.target.ID).Scan(&n); err != nil {
		c.t.Fatal(err)
	}
	return n == 1
}

// standIn signs the case's browser in as a new account in the role's place (invited to,
// collaborating on, or revoked from the seeded database as the role is), and fills the
// Delete account form with its password and address: the role's own account serves the
// rows after. The owner stays the owner, whose deletion is refused.
func standIn(c *matrixCase) {
	u := c.w.users[c.role]
	if c.role != anonymous && c.role != owner {
		c.h.takeEmails()
		u = c.h.signup(c.name+"@example.com", c.name)
		if c.role != stranger {
			c.h.invite(c.h.owner, u.Email)
		}
		if c.role == collaborator || c.role == revoked {
			if _, err := c.h.svc.AcceptInvitation(c.t.Context(), u.ID, c.h.invitationToken(u.Email)); err != nil {
				c.t.Fatal(err)
			}
		}
		if c.role == revoked {
			row, _ := c.h.row(u.Email)
			if _, err := c.h.svc.Revoke(c.t.Context(), c.h.owner.ID, dbName, row.ID); err != nil {
				c.t.Fatal(err)
			}
		}
		c.a = c.w.browser(c.h)
		c.a.login(u.Email, password).expectRedirect("/")
		c.csrf = c.a.token()
	}
	c.id = u.ID
	c.form = url.Values{"delete_password": {password}, "delete_confirm_email": {u.Email}}
}

// standInDeleted: the account the case filled the form for is gone.
func standInDeleted(c *matrixCase) bool {
	return c.id != 0 && c.count(`SELECT count(*) FROM users WHERE id = $1`, c.id) == 0
}

// disposableDatabase has the owner create a database named after the case, where each
// role stands as on the seeded one, and points the case at it, by name or by ID as the
// case names the seeded one.
func disposableDatabase(c *matrixCase) {
	ctx, h := c.t.Context(), c.h
	h.takeEmails()
	db, err := h.svc.CreateDatabase(ctx, h.owner.ID, newDatabase(c.name))
	if err != nil {
		c.t.Fatal(err)
	}
	invite := func(u store.User) {
		if _, _, err := h.svc.Invite(ctx, h.owner.ID, db.Name, u.Email); err != nil {
			c.t.Fatal(err)
		}
	}
	for _, r := range []role{collaborator, revoked} {
		u := c.w.users[r]
		invite(u)
		if _, err := h.svc.AcceptInvitation(ctx, u.ID, h.invitationToken(u.Email)); err != nil {
			c.t.Fatal(err)
		}
	}
	rows, err := h.store.Collaborators(ctx, db.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := h.svc.Revoke(ctx, h.owner.ID, db.Name, rows[len(rows)-1].ID); err != nil {
		c.t.Fatal(err)
	}
	invite(c.w.users[pendingInvitee])
	h.takeEmails()
	c.form = url.Values{"name": {db.Name}}
	if c.ref == h.db.ID {
		c.ref = db.ID
	} else if c.ref != "" {
		c.ref = db.Name
	}
}

// caseDatabaseDeleted: the database named after the case is gone.
func caseDatabaseDeleted(c *matrixCase) bool {
	return c.count(`SELECT count(*) FROM databases WHERE name = $1`, c.name) == 0
}

// openFreshInvitation has the owner create a database named after the case and invite
// the pending invitee to it, then opens the link in the case's browser: whoever accepts
// it, the pending invitee stays pending on the seeded database.
func openFreshInvitation(c *matrixCase) {
	ctx := c.t.Context()
	if _, err := c.h.svc.CreateDatabase(ctx, c.h.owner.ID, newDatabase(c.name)); err != nil {
		c.t.Fatal(err)
	}
	if _, _, err := c.h.svc.Invite(ctx, c.h.owner.ID, c.name, c.h.invitee.Email); err != nil {
		c.t.Fatal(err)
	}
	c.a.get("/invitations/" + c.h.invitationToken(c.h.invitee.Email)).expectRedirect("/invitation")
}

// matrixWorld is the harness with, for each role, a signed-in browser, its CSRF token
// and an API token; lena is an account with no part in anything whose credentials the
// log-in routes send.
type matrixWorld struct {
	h *harness
	// secure: served over https, with Server.Secure; transport trusts its certificate.
	secure    bool
	transport http.RoundTripper

	users    [roleCount]store.User
	browsers [roleCount]*actor
	csrf     [roleCount]string
	// auth is each role's Authorization header with its API token, basic the same token
	// as the token exchange takes it, and access the access token it gives; none for
	// anonymous.
	auth, basic, access [roleCount]string
	lena                store.User
	db                  *sql.DB
	cases               int
}

func newMatrixWorld(t *testing.T, overHTTPS bool) *matrixWorld {
	t.Helper()
	w := &matrixWorld{secure: overHTTPS}
	// A PostgreSQL server is attached, so that the credentials routes work for members.
	pg := withPostgres(&fakePostgres{})
	if overHTTPS {
		w.h = newHarness(t, secure, pg)
		ts := httptest.NewTLSServer(w.h.server.Routes())
		t.Cleanup(ts.Close)
		// Links in e-mails keep the http address: only their tokens are used.
		w.h.url, w.transport = ts.URL, ts.Client().Transport
	} else {
		w.h = newHarness(t, pg)
	}
	h, ctx := w.h, t.Context()
	w.db = teststore.SQL(t, h.dsn)
	w.lena = h.signup("lena@example.com", "lena")
	rita := h.signup("rita@example.com", "rita")
	h.invite(h.owner, rita.Email)
	if _, err := h.svc.AcceptInvitation(ctx, rita.ID, h.invitationToken(rita.Email)); err != nil {
		t.Fatal(err)
	}
	w.users = [roleCount]store.User{stranger: h.stranger, pendingInvitee: h.invitee, collaborator: h.collaborator, owner: h.owner, revoked: rita}
	h.activateAccess()
	for r := range roleCount {
		a := w.browser(h)
		if r != anonymous {
			a.login(w.users[r].Email, password).expectRedirect("/")
			token, _, err := h.svc.CreateAPIToken(ctx, w.users[r].ID, "matrix")
			if err != nil {
				t.Fatal(err)
			}
			w.auth[r] = "Bearer " + token
			w.basic[r] = "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+token))
			access, err := h.svc.ExchangeAPIToken(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			w.access[r] = "Bearer " + access
		}
		w.browsers[r], w.csrf[r] = a, a.token()
	}
	// Rita is revoked only now, holding her session cookie and her API token.
	row, _ := h.row(rita.Email)
	if _, err := h.svc.Revoke(ctx, h.owner.ID, dbName, row.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

// browser is a new anonymous browser of the world's server.
func (w *matrixWorld) browser(h *harness) *actor {
	a := h.anonymous()
	a.client.Transport = w.transport
	return a
}

// matrixCase is one request of one role to one route.
type matrixCase struct {
	t    *testing.T
	w    *matrixWorld
	h    *harness
	role role
	// a is a copy of the role's browser: what the case does to its session stays in the case.
	a *actor
	// ref is how the path names the database: by name or by ID.
	ref string
	// name is unique to the case: a database, account, token name, or an address's local part.
	name string
	// id and token fill in the path's :id and :token.
	id    int64
	token string
	// target is a fresh pending invitation, for routes on a collaborator row.
	target store.Collaborator
	form   url.Values
	json   string
	// auth, when set, is sent instead of the role's Authorization header.
	auth string
	// verifier is the role's password verifier before the request.
	verifier string
	// csrf, when set, is sent instead of the role's CSRF token: the case's browser signed
	// in as another account (see standIn and ownSession).
	csrf string
}

func (w *matrixWorld) newCase(t *testing.T, route matrixRoute, r role, ref string) *matrixCase {
	w.cases++
	h := w.h.in(t)
	c := &matrixCase{t: t, w: w, h: h, role: r, a: w.browser(h), ref: ref, name: fmt.Sprintf("case-%d", w.cases)}
	u, err := url.Parse(h.url)
	if err != nil {
		t.Fatal(err)
	}
	c.a.client.Jar.SetCookies(u, w.browsers[r].client.Jar.Cookies(u))
	if strings.Contains(route.path, "/collaborators/:id") {
		c.target = h.invite(h.owner, c.name+"-target@example.com")
		c.id = c.target.ID
	}
	return c
}

// request is the case's method and path, its parameters filled in.
func (c *matrixCase) request(route matrixRoute) (method, path string) {
	method, path = route.method, route.path
	if route.as != "" {
		method, path, _ = strings.Cut(route.as, " ")
	}
	return method, strings.NewReplacer(":db", c.ref, ":id", itoa(c.id), ":token", c.token).Replace(path)
}

// send makes the case's request: a browser's (with the role's CSRF token on a POST),
// or an API call with the role's token, from the same browser, its cookies included.
func (c *matrixCase) send(route matrixRoute) *response {
	return c.sendTo(c.request(route))
}

func (c *matrixCase) sendTo(method, path string) *response {
	switch {
	case strings.HasPrefix(path, "/v1") && c.auth != "":
		return c.a.api(method, path, c.auth, c.json)
	case path == "/v1/tokens/exchange":
		return c.a.api(method, path, c.w.basic[c.role], c.json)
	case path == "/v1/users/self" || strings.HasPrefix(path, "/v1/apps/"):
		return c.a.api(method, path, c.w.access[c.role], c.json)
	case strings.HasPrefix(path, "/v1"):
		return c.a.api(method, path, c.w.auth[c.role], c.json)
	case method == http.MethodPost && c.csrf != "":
		return c.a.postWithToken(path, c.form, c.csrf)
	case method == http.MethodPost:
		return c.a.postWithToken(path, c.form, c.w.csrf[c.role])
	default:
		return c.a.do(method, path, nil, nil)
	}
}

// api calls the JSON API from this browser, its cookies included: auth is the
// Authorization header and body the JSON sent, each "" for none.
func (a *actor) api(method, path, auth, body string) *response {
	a.h.t.Helper()
	req, err := http.NewRequest(method, a.h.url+path, strings.NewReader(body))
	if err != nil {
		a.h.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return a.send(req)
}

// signedInAs is the username the case's browser is signed in as, or "".
func (c *matrixCase) signedInAs() string {
	r := c.a.get("/")
	if r.status != http.StatusOK {
		return ""
	}
	return r.text("[data-testid=signed-in-as]")
}

func (c *matrixCase) isMember(u store.User, database string) bool {
	_, err := c.h.svc.Database(c.t.Context(), u.ID, database)
	return err == nil
}

// ownerToken gives the owner an API token named after the case and returns its ID.
func (c *matrixCase) ownerToken() int64 {
	_, token, err := c.h.svc.CreateAPIToken(c.t.Context(), c.h.owner.ID, c.name)
	if err != nil {
		c.t.Fatal(err)
	}
	return token.ID
}

// freshToken gives the case's role an API token named after the case and returns its
// Authorization header; anonymous gets none, and the token goes to the owner, unsent.
func (c *matrixCase) freshToken() string {
	holder := c.w.users[c.role]
	if c.role == anonymous {
		holder = c.h.owner
	}
	token, _, err := c.h.svc.CreateAPIToken(c.t.Context(), holder.ID, c.name)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.role == anonymous {
		return ""
	}
	return "Bearer " + token
}

func (c *matrixCase) count(query string, args ...any) int {
	return countRows(c.t, c.w.db, query, args...)
}

// TestAuthorizationMatrix runs every route the server registers, web and API, as every
// role, a database by its name and by its ID, over http and over https. Each answer
// must be the one in the matrix, take effect exactly when the matrix says so, and
// carry the security headers and cookie flags; a 404 for a database one may not see
// must be the very answer for a database that does not exist.
func TestAuthorizationMatrix(t *testing.T) {
	for _, overHTTPS := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[overHTTPS], func(t *testing.T) {
			w := newMatrixWorld(t, overHTTPS)
			expectEveryRouteInMatrix(t, w.h.server.Routes())
			for _, route := range matrixRoutes {
				refs := []string{""}
				if strings.Contains(route.path, ":db") {
					refs = []string{dbName, w.h.db.ID}
				}
				for r := range roleCount {
					for _, ref := range refs {
						t.Run(fmt.Sprintf("%s %s as %s%s", route.method, route.path, r, byRef(ref)), func(t *testing.T) {
							w.check(t, route, r, ref)
						})
					}
				}
			}
			if !t.Failed() {
				t.Logf("%d routes × %d roles, databases by name and by ID: %d answers as the matrix says", len(matrixRoutes), roleCount, w.cases)
			}
		})
	}
}

func byRef(ref string) string {
	switch {
	case ref == "":
		return ""
	case strings.HasPrefix(ref, "db_"):
		return " by ID"
	default:
		return " by name"
	}
}

func (w *matrixWorld) check(t *testing.T, route matrixRoute, r role, ref string) {
	c := w.newCase(t, route, r, ref)
	if route.setup != nil {
		route.setup(c)
	}
	want := route.want[r]
	got := c.send(route)
	expectHardened(t, got, w.secure)
	if got.status != want.status {
		t.Fatalf("%s as %s: status %d, want %d\n%s", got.what, r, got.status, want.status, got.body)
	}
	if location := strings.ReplaceAll(want.location, "{name}", c.name); got.header.Get("Location") != location {
		t.Errorf("%s as %s: Location %q, want %q", got.what, r, got.header.Get("Location"), location)
	}
	if want.hidden {
		expectSameAsMissing(t, c, route, got)
	}
	if route.done != nil {
		if done := route.done(c); done != want.acts {
			t.Errorf("%s as %s: took effect %v, want %v", got.what, r, done, want.acts)
		}
	}
}

// expectSameAsMissing sends the case's request again, naming a database (or a token)
// that does not exist, and checks the answer is the same, the name aside.
func expectSameAsMissing(t *testing.T, seenCase *matrixCase, route matrixRoute, got *response) {
	t.Helper()
	c := *seenCase
	var seen, unseen string
	switch {
	case c.ref == "":
		seen, unseen = itoa(c.id), "999999999"
		c.id = 999999999
	case strings.HasPrefix(c.ref, "db_"):
		seen, unseen = c.ref, "db_000000000000000000000000"
		c.ref = unseen
	default:
		seen, unseen = c.ref, "no-such-db"
		c.ref = unseen
	}
	missing := c.send(route)
	// Whole words only: an ID such as 14 also appears inside the stylesheet's fingerprint.
	ref := func(body, value string) string {
		return regexp.MustCompile(`\b`+regexp.QuoteMeta(value)+`\b`).ReplaceAllLiteralString(body, "{ref}")
	}
	if missing.status != got.status || missing.header.Get("Content-Type") != got.header.Get("Content-Type") ||
		ref(missing.body, unseen) != ref(got.body, seen) {
		t.Errorf("%s as %s tells the thing exists: it differs from %s's answer\n%d %s\n---\n%d %s",
			got.what, c.role, missing.what, got.status, got.body, missing.status, missing.body)
	}
}

// expectHardened checks what every answer carries: the security headers, cookies that
// are HttpOnly, SameSite Lax or Strict, and Secure under https (the API sets none), and
// on a page no inline script, style or event handler, which the CSP would block.
func expectHardened(t *testing.T, r *response, secure bool) {
	t.Helper()
	expectSecurityHeaders(t, r.what, r)
	if r.doc != nil {
		expectNoInjectedMarkup(t, r.what, r.doc)
	}
	for _, c := range r.cookies {
		if strings.Contains(r.what, " /v1") {
			t.Errorf("%s: the API set the cookie %s", r.what, c.Name)
		}
		if !c.HttpOnly || (c.SameSite != http.SameSiteLaxMode && c.SameSite != http.SameSiteStrictMode) || c.Secure != secure {
			t.Errorf("%s: cookie %s has HttpOnly=%v SameSite=%v Secure=%v; want HttpOnly, Lax or Strict, Secure=%v",
				r.what, c.Name, c.HttpOnly, c.SameSite, c.Secure, secure)
		}
	}
}

// expectEveryRouteInMatrix fails for a route served without a row in the matrix, and
// for a row whose route is no longer served.
func expectEveryRouteInMatrix(t *testing.T, e *echo.Echo) {
	t.Helper()
	inMatrix := map[string]bool{}
	for _, r := range matrixRoutes {
		key := r.method + " " + r.path
		if inMatrix[key] {
			t.Errorf("%s has two rows in the matrix", key)
		}
		inMatrix[key] = true
	}
	var served []string
	for _, r := range e.Routes() {
		key := r.Method + " " + r.Path
		served = append(served, key)
		if !inMatrix[key] {
			t.Errorf("%s is served but has no row in the authorization matrix (matrixRoutes in matrix_test.go)", key)
		}
	}
	for key := range inMatrix {
		if !slices.Contains(served, key) {
			t.Errorf("%s has a row in the authorization matrix but is not served", key)
		}
	}
}

func countRows(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
