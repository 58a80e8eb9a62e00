package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dbcollab/links"
	"dbcollab/service"
)

func TestDeleteAccountFromTheAccountPage(t *testing.T) {
	h := newHarness(t)
	carl := h.signedIn(h.collaborator)
	copied := h.signedIn(h.collaborator) // another browser of the same account

	page := carl.get(links.Account).expectStatus(http.StatusOK)
	page.expectField("Password", "")
	page.expectField("Type your e-mail address to confirm", "")
	page.expectButton("Delete account")

	// A wrong password: said next to the field, the typed address kept, nothing deleted.
	r := carl.submit(links.Account, links.AccountDelete, url.Values{"delete_password": {"not-it"}, "delete_confirm_email": {h.collaborator.Email}}).
		expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError("Password", "delete_password", "This is not your current password")
	r.expectField("Password", "")
	r.expectField("Type your e-mail address to confirm", h.collaborator.Email)
	if !strings.HasPrefix(r.text("title"), "Error: ") {
		t.Errorf("the refused page's title is %q", r.text("title"))
	}
	r = carl.submit(links.Account, links.AccountDelete, url.Values{"delete_password": {password}, "delete_confirm_email": {"carl"}}).
		expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError("Type your e-mail address to confirm", "delete_confirm_email", "Type your e-mail address, carl@example.com, to delete your account")
	r.expectField("Type your e-mail address to confirm", "carl")

	carl.submit(links.Account, links.AccountDelete, url.Values{"delete_password": {password}, "delete_confirm_email": {h.collaborator.Email}}).
		expectRedirect(links.Login)
	if got := carl.get(links.Login).expectStatus(http.StatusOK).flash(); got != "Your account has been deleted" {
		t.Errorf("the log-in page says %q", got)
	}
	carl.get(links.Home).expectRedirect(links.Login)
	copied.get(links.Home).expectRedirect(links.Login)
	if _, live := h.row(h.collaborator.Email); live {
		t.Error("the deleted account still collaborates on orders-db")
	}
	sent := h.takeEmails()
	if len(sent) != 1 || sent[0].To != h.owner.Email || !strings.Contains(sent[0].Text, "carl (carl@example.com) stopped collaborating on orders-db") {
		t.Errorf("e-mails %+v; want the owner told, as when someone leaves", sent)
	}
	// Activity names the deleted account by its address.
	events := h.signedIn(h.owner).get(h.collaboratorsPath()).expectStatus(http.StatusOK).text("[data-testid=activity]")
	if !strings.Contains(events, "carl@example.com stopped collaborating") {
		t.Errorf("Activity reads %q", events)
	}
	// The address is free.
	h.signup(h.collaborator.Email, "carl")
}

func TestDeleteAccountOfAnOwnerListsItsDatabases(t *testing.T) {
	h := newHarness(t)
	olivia := h.signedIn(h.owner)
	r := olivia.submit(links.Account, links.AccountDelete, url.Values{"delete_password": {password}, "delete_confirm_email": {h.owner.Email}}).
		expectStatus(http.StatusConflict)
	if got := r.text("[data-testid=delete-account-error]"); got != "You own orders-db: transfer or delete them first" {
		t.Errorf("the refusal says %q", got)
	}
	r.expectField("Type your e-mail address to confirm", h.owner.Email)
	olivia.get(links.Home).expectStatus(http.StatusOK)
}

func TestDeleteDatabaseFromGeneralSettings(t *testing.T) {
	h := newHarness(t)
	olivia := h.signedIn(h.owner)
	settings := links.Settings(dbName)
	if form := h.signedIn(h.collaborator).get(settings).expectStatus(http.StatusOK).doc.Find("[data-testid=delete-database-form]"); form.Length() != 0 {
		t.Error("a collaborator is offered Delete database")
	}
	const label = "Type the name of the database, orders-db, to confirm"
	olivia.get(settings).expectStatus(http.StatusOK).expectButton("Delete database")

	r := olivia.submit(settings, links.DeleteDatabase(dbName), url.Values{"name": {"orders"}}).expectStatus(http.StatusUnprocessableEntity)
	r.expectFieldError(label, "name", "Type orders-db, the name of the database, to delete it")
	r.expectField(label, "orders")
	if _, err := h.svc.Database(t.Context(), h.owner.ID, dbName); err != nil {
		t.Fatalf("a refused deletion deleted the database: %v", err)
	}

	olivia.submit(settings, links.DeleteDatabase(dbName), url.Values{"name": {dbName}}).expectRedirect(links.Home)
	if got := olivia.get(links.Home).expectStatus(http.StatusOK).flash(); got != "The database orders-db has been deleted" {
		t.Errorf("the databases page says %q", got)
	}
	olivia.get(settings).expectStatus(http.StatusNotFound)
	var to []string
	for _, e := range h.takeEmails() {
		to = append(to, e.To)
	}
	if strings.Join(to, " ") != "olivia@example.com carl@example.com" {
		t.Errorf("e-mails to %v; want the owner's receipt and the collaborator", to)
	}
	// The invitee's link says what became of the database.
	pia := h.signedIn(h.invitee)
	pia.get(links.InvitationLink(h.inviteeToken)).expectRedirect(links.Invitation)
	if got := pia.get(links.Invitation).expectStatus(http.StatusGone).text("[data-testid=invitation-state]"); got !=
		"This invitation was to orders-db, a database that no longer exists: its owner deleted it." {
		t.Errorf("the invitation page says %q", got)
	}
	// The name is free again.
	olivia.submit(links.NewDatabase, links.Databases, url.Values{"name": {dbName}, "plan": {service.Plans[0].ID}}).
		expectRedirect(links.Database(dbName))
}

func TestCollaboratorWhoPostsDeleteDatabaseIsSentBackWithTheReason(t *testing.T) {
	h := newHarness(t)
	carl := h.signedIn(h.collaborator)
	carl.postWithToken(links.DeleteDatabase(dbName), url.Values{"name": {dbName}}, carl.token()).
		expectRedirect(links.Settings(dbName))
	if got := carl.get(links.Settings(dbName)).expectStatus(http.StatusOK).flash(); got != "Only the owner can delete a database" {
		t.Errorf("the page says %q", got)
	}
	if _, err := h.svc.Database(t.Context(), h.owner.ID, dbName); err != nil {
		t.Errorf("the collaborator deleted the database: %v", err)
	}
}
