// Package links spells the dashboard's and the API's URLs (paths; e-mails prefix the
// base URL), for handlers, views, the service's e-mails, the CLI and tests alike. It
// imports nothing of dbcollab, so that any package may use it.
package links

import (
	"net/url"
	"strconv"
)

// Paths with no part that varies.
const (
	Home        = "/"
	Login       = "/login"
	Databases   = "/databases"
	NewDatabase = "/databases/new"
	// Invitation is the invitation being accepted, kept in the session.
	Invitation = "/invitation"
	// Logout ends the session (POST).
	Logout = "/logout"
	// Account is the account page, with its API tokens.
	Account = "/account"
	// AccountTokens is where the account page's form creates an API token.
	AccountTokens = "/account/tokens"
	// AccountDelete deletes the signed-in account (POST).
	AccountDelete = "/account/delete"
	// LogoutOtherSessions ends every session of the account but the current one (POST).
	LogoutOtherSessions = "/account/sessions/logout-others"
	// AccountPassword changes the password (POST).
	AccountPassword = "/account/password"
	// AccountEmail asks to change the e-mail address (POST).
	AccountEmail = "/account/email"
	// EmailConfirmation is the e-mail change being confirmed, kept in the session.
	EmailConfirmation = "/account/email/confirm"
	// ForgotPassword asks for a password reset link.
	ForgotPassword = "/password/forgot"
	// PasswordReset is the reset link being used, kept in the session.
	PasswordReset = "/password/reset"
	// APIDatabases lists the databases in the JSON API.
	APIDatabases = "/v1/databases"
	// APITokens creates an API token from an e-mail and a password (POST).
	APITokens = "/v1/tokens"
	// APICurrentToken is the token the request is made with (DELETE revokes it).
	APICurrentToken = "/v1/tokens/current"
)

// RevokeAccountToken revokes the signed-in user's API token id (POST).
func RevokeAccountToken(id int64) string {
	return AccountTokens + "/" + strconv.FormatInt(id, 10) + "/revoke"
}

// LogoutSession ends the signed-in user's session id (POST).
func LogoutSession(id int64) string {
	return "/account/sessions/" + strconv.FormatInt(id, 10) + "/logout"
}

// PasswordResetLink is the link a password reset e-mail carries.
func PasswordResetLink(token string) string { return PasswordReset + "/" + token }

// EmailConfirmationLink is the link an e-mail change's confirmation carries.
func EmailConfirmationLink(token string) string { return EmailConfirmation + "/" + token }

// Database is the overview of the database named name (or with that ID).
func Database(name string) string { return "/databases/" + name }

// Settings is the database's Settings → General page.
func Settings(name string) string { return Database(name) + "/settings" }

// DeleteDatabase deletes the database (POST), from its Settings → General page.
func DeleteDatabase(name string) string { return Settings(name) + "/delete" }

// Collaborators is the database's Settings → Collaborators tab, and where its Add form posts.
func Collaborators(name string) string { return Settings(name) + "/collaborators" }

// Activity is page (from 1) of the tab's Activity, scrolled to it.
func Activity(name string, page int) string {
	return Collaborators(name) + "?page=" + strconv.Itoa(page) + "#activity-title"
}

// TabPage is the Collaborators tab showing the rows whose e-mail or username holds
// search, of status ("" for all), their page rowsPage, and page activityPage of the
// Activity (0 leaves it out); defaults are left out, so that the plain tab is Collaborators.
func TabPage(name, search, status string, rowsPage, activityPage int) string {
	v := url.Values{}
	if search != "" {
		v.Set("q", search)
	}
	if status != "" {
		v.Set("status", status)
	}
	if rowsPage > 1 {
		v.Set("p", strconv.Itoa(rowsPage))
	}
	if activityPage > 0 {
		v.Set("page", strconv.Itoa(activityPage))
	}
	if len(v) == 0 {
		return Collaborators(name)
	}
	return Collaborators(name) + "?" + v.Encode()
}

// Revoke confirms (GET) and makes (POST) the revocation of collaborator row id.
func Revoke(name string, id int64) string { return collaborator(name, id) + "/revoke" }

// MakeOwner confirms (GET) and makes (POST) collaborator row id the owner.
func MakeOwner(name string, id int64) string { return collaborator(name, id) + "/owner" }

// Resend e-mails a fresh link for the invitation row id.
func Resend(name string, id int64) string { return collaborator(name, id) + "/resend" }

func collaborator(name string, id int64) string {
	return Collaborators(name) + "/" + strconv.FormatInt(id, 10)
}

// InvitationLink is the link an invitation e-mail carries.
func InvitationLink(token string) string { return "/invitations/" + token }

// APIDatabase is the database ref (name or ID, escaped here) in the JSON API.
func APIDatabase(ref string) string { return APIDatabases + "/" + url.PathEscape(ref) }

// APICollaborators lists (GET) and invites (POST) the database's collaborators.
func APICollaborators(ref string) string { return APIDatabase(ref) + "/collaborators" }

// APICollaborator is the collaborator row id (removed with DELETE).
func APICollaborator(ref, id string) string { return APICollaborators(ref) + "/" + url.PathEscape(id) }

// APIOwner transfers the ownership of database ref.
func APIOwner(ref string) string { return APIDatabase(ref) + "/owner" }

// APIEvents is the database's Activity in the JSON API.
func APIEvents(ref string) string { return APIDatabase(ref) + "/events" }

// APICredentials are the signed-in user's credentials on database ref: GET shows them
// without password, POST resets the password.
func APICredentials(ref string) string { return APIDatabase(ref) + "/credentials" }

// Credentials is where the Overview's "Reset password" button posts.
func Credentials(name string) string { return Database(name) + "/credentials" }
