package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/links"
)

// After a form post a screen reader user learns what happened from the page's <title>
// and its message (issue 12): a success says so first, a refusal or a field error says
// "Error:", and a refusal looks like an error, not like a success.

func TestAnnounceFlashInTheTitle(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"new@example.com"}}).
		expectRedirect(h.collaboratorsPath())
	page := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	flash := "new@example.com has been invited to collaborate to " + dbName
	if got := page.text("title"); !strings.HasPrefix(got, flash+" · ") {
		t.Errorf("title %q, want it to start with the flash %q", got, flash)
	}
	message := page.doc.Find("[data-testid=flash]")
	if role, _ := message.Attr("role"); role != "status" || message.HasClass("error") {
		t.Errorf("a success flash has role %q and classes %q, want status and no error", role, message.AttrOr("class", ""))
	}
}

func TestAnnounceRefusalAsAnError(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	owner, _ := h.row(h.owner.Email)
	a.get(h.revokePath(owner)).expectRedirect(h.collaboratorsPath())
	page := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	refusal := "The owner's access cannot be revoked: a database always keeps its owner"
	if got := page.text("title"); !strings.HasPrefix(got, "Error: "+refusal+" · ") {
		t.Errorf("title %q, want it to start with %q", got, "Error: "+refusal)
	}
	message := page.doc.Find("[data-testid=flash]")
	if textOf(message) != refusal || !message.HasClass("error") || message.AttrOr("role", "") != "alert" {
		t.Errorf("refusal shown as %q with classes %q and role %q, want the error style and role alert",
			textOf(message), message.AttrOr("class", ""), message.AttrOr("role", ""))
	}
	if got := a.get(h.collaboratorsPath()).text("title"); strings.HasPrefix(got, "Error") {
		t.Errorf("the next view's title still says %q", got)
	}
}

func TestAnnounceFieldErrorInTheTitle(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	pages := map[string]*response{
		"add collaborator": a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"not-an-address"}}),
		"new database":     a.submit("/databases/new", "/databases", url.Values{"name": {"9"}, "plan": {"nope"}}),
		"new token":        a.submit("/account", "/account/tokens", url.Values{"name": {""}}),
		"log in":           h.anonymous().submit("/login", "/login", url.Values{"email": {""}, "password": {""}}),
		"sign up":          h.anonymous().submit("/signup", "/signup", url.Values{"email": {"x"}}),
		"forgot password":  h.anonymous().submit(links.ForgotPassword, links.ForgotPassword, url.Values{"email": {"x"}}),
		"change password":  a.submit(links.Account, links.AccountPassword, url.Values{"current_password": {"not-it"}, "new_password": {"a-brand-new-password"}}),
		"change e-mail":    a.submit(links.Account, links.AccountEmail, url.Values{"new_email": {"x"}, "email_password": {password}}),
		"delete account":   h.signedIn(h.collaborator).submit(links.Account, links.AccountDelete, url.Values{"delete_password": {password}, "delete_confirm_email": {"x"}}),
		"delete database":  a.submit(links.Settings(dbName), links.DeleteDatabase(dbName), url.Values{"name": {"x"}}),
	}
	for name, page := range pages {
		page.expectStatus(http.StatusUnprocessableEntity)
		if got := page.text("title"); !strings.HasPrefix(got, "Error: ") {
			t.Errorf("%s: title %q, want it to start with %q", name, got, "Error: ")
		}
		invalid := page.doc.Find("[aria-invalid=true]")
		if invalid.Length() == 0 {
			t.Errorf("%s: no field is marked invalid", name)
		}
		invalid.Each(func(_ int, field *goquery.Selection) {
			id := field.AttrOr("aria-describedby", "")
			if id == "" || page.doc.Find("#"+strings.Fields(id)[len(strings.Fields(id))-1]+".field-error").Length() != 1 {
				t.Errorf("%s: invalid field %s is not described by its error (aria-describedby %q)", name, field.AttrOr("id", ""), id)
			}
		})
	}
	if got := a.get("/databases/new").text("title"); strings.HasPrefix(got, "Error") {
		t.Errorf("a fresh form's title says %q", got)
	}
}

func TestAnnounceSkipLinkOnEveryPage(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	for _, path := range []string{"/", "/account", h.collaboratorsPath(), "/no-such-page"} {
		page := a.get(path)
		first := page.doc.Find("body a").First()
		if textOf(first) != "Skip to content" || first.AttrOr("href", "") != "#content" {
			t.Errorf("%s: the first link is %q to %q, want Skip to content to #content", path, textOf(first), first.AttrOr("href", ""))
		}
		if page.doc.Find("main#content").Length() != 1 {
			t.Errorf("%s: no <main id=content>", path)
		}
	}
}
