package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// tableRow is one row of the Collaborators table as a person reads it.
type tableRow struct {
	Email, Username, Status, Role string
	Pending                       bool
}

// collaboratorRows reads the Collaborators table.
func collaboratorRows(r *response) []tableRow {
	var rows []tableRow
	r.doc.Find("[data-testid=collaborators] tbody tr").Each(func(_ int, tr *goquery.Selection) {
		cells := tr.Find("td")
		rows = append(rows, tableRow{
			Email:    emailIn(cells.Eq(0)),
			Username: textOf(cells.Eq(1)),
			Status:   textOf(cells.Eq(2)),
			Role:     textOf(cells.Eq(3)),
			Pending:  tr.HasClass("pending"),
		})
	})
	return rows
}

// emailIn reads the address in an Email cell: its own text, without the markers
// ("(you)", the e-mail's delivery) in elements of their own.
func emailIn(cell *goquery.Selection) string {
	own := cell.Contents().FilterFunction(func(_ int, n *goquery.Selection) bool {
		return goquery.NodeName(n) == "#text"
	})
	return textOf(own)
}

// rowOf returns the table row of email.
// fromTab resolves a link of the Collaborators tab, which rows write relative to the tab.
func (h *harness) fromTab(ref string) string {
	base, err := url.Parse(h.collaboratorsPath())
	if err != nil {
		h.t.Fatal(err)
	}
	u, err := base.Parse(ref)
	if err != nil {
		h.t.Fatalf("link %q: %v", ref, err)
	}
	return u.String()
}

func rowOf(r *response, email string) *goquery.Selection {
	return r.doc.Find("[data-testid=collaborators] tbody tr").FilterFunction(func(_ int, tr *goquery.Selection) bool {
		return emailIn(tr.Find("td").First()) == email
	})
}

func TestCollaboratorsTableListsOwnerFirstThenInvitationOrder(t *testing.T) {
	h := newHarness(t)
	// Invited after the seeded ones, in an order that is not alphabetical.
	h.invite(h.owner, "zoe@example.com")
	h.invite(h.collaborator, "adam@example.com")

	page := h.signedIn(h.owner).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	var headers []string
	page.doc.Find("[data-testid=collaborators] thead th").Each(func(_ int, th *goquery.Selection) {
		headers = append(headers, textOf(th))
	})
	if len(headers) < 4 || !slices.Equal(headers[:4], []string{"Email", "Username", "Status", "Role"}) {
		t.Errorf("columns %q, want Email, Username, Status, Role first", headers)
	}

	want := []tableRow{
		{"olivia@example.com", "olivia", "owner", "owner", false},
		{"carl@example.com", "carl", "accepted", "collaborator", false},
		{"pia@example.com", "n/a", "pending", "collaborator", true},
		{"zoe@example.com", "n/a", "pending", "collaborator", true},
		{"adam@example.com", "n/a", "pending", "collaborator", true},
	}
	if got := collaboratorRows(page); !slices.Equal(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
	if rowOf(page, h.owner.Email).Find(".you").Length() != 1 {
		t.Error("the viewer's own row is not marked (you)")
	}
}

func TestCollaboratorsTabIsTheSettingsSideMenusSecondEntry(t *testing.T) {
	h := newHarness(t)
	page := h.signedIn(h.collaborator).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if current, _ := page.link("Settings").Attr("aria-current"); current != "page" {
		t.Errorf("Settings tab has aria-current %q", current)
	}
	if current, _ := page.link("Collaborators").Attr("aria-current"); current != "page" {
		t.Errorf("Collaborators entry has aria-current %q", current)
	}
	if current, _ := page.link("General").Attr("aria-current"); current == "page" {
		t.Error("General is marked current on the Collaborators tab")
	}
}

func TestAddRevealsAFormWithOneEmailField(t *testing.T) {
	h := newHarness(t)
	page := h.signedIn(h.owner).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	add := page.doc.Find("[data-testid=add-collaborator]")
	if got := textOf(add.Find("summary")); got != "Add" {
		t.Errorf("the Add control reads %q", got)
	}
	if _, open := add.Attr("open"); open {
		t.Error("the Add form is open before anyone asked for it")
	}
	form := add.Find("form")
	if action, _ := form.Attr("action"); action != h.collaboratorsPath() {
		t.Errorf("the Add form posts to %q", action)
	}
	if method, _ := form.Attr("method"); method != "post" {
		t.Errorf("the Add form's method is %q", method)
	}
	fields := form.Find("input:not([type=hidden]), select, textarea")
	if fields.Length() != 1 {
		t.Fatalf("the Add form has %d fields, want 1", fields.Length())
	}
	page.expectField("Email", "")
	if id, _ := fields.Attr("id"); id != "email" {
		t.Errorf("the Add form's field is #%s, not the one labelled Email", id)
	}
	if got := textOf(form.Find("button[type=submit]")); got != "Confirm" {
		t.Errorf("the Add form's button reads %q", got)
	}
}

func TestEveryRowButTheOwnersHasAnActionsMenu(t *testing.T) {
	h := newHarness(t)
	for _, viewer := range []struct {
		name string
		a    *actor
	}{{"owner", h.signedIn(h.owner)}, {"collaborator", h.signedIn(h.collaborator)}} {
		page := viewer.a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)

		owner := rowOf(page, h.owner.Email)
		if owner.Find("[aria-haspopup]").Length() != 0 || owner.Find("a:contains('Revoke access')").Length() != 0 {
			t.Errorf("%s: the owner's row offers Revoke access", viewer.name)
		}
		for _, m := range []string{h.collaborator.Email, h.invitee.Email} {
			row := rowOf(page, m)
			button := row.Find(`button[aria-haspopup=menu]`)
			if button.Length() != 1 {
				t.Fatalf("%s: row %s has %d menu buttons", viewer.name, m, button.Length())
			}
			if name, _ := button.Attr("aria-label"); name != "Actions for "+m {
				t.Errorf("%s: menu button of %s is named %q", viewer.name, m, name)
			}
			// One markup: the <details> beside the button holds the items app.js makes its menu of.
			menu := button.Next().Filter("details")
			if name, _ := menu.Find("summary").Attr("aria-label"); name != "Actions for "+m {
				t.Errorf("%s: the <details> beside the menu button of %s is named %q", viewer.name, m, name)
			}
			item := menu.Find("ul > li > a").FilterFunction(func(_ int, s *goquery.Selection) bool {
				return textOf(s) == "Revoke access"
			})
			if item.Length() != 1 {
				t.Fatalf("%s: the menu of %s has no item Revoke access: %q", viewer.name, m, textOf(menu))
			}
			href := h.fromTab(item.AttrOr("href", ""))
			stored, _ := h.row(m)
			if href != h.revokePath(stored) {
				t.Errorf("%s: Revoke access of %s links to %q, want %q", viewer.name, m, href, h.revokePath(stored))
			}

			confirm := viewer.a.get(href).expectStatus(http.StatusOK)
			if confirm.button("Revoke access to "+m).Length() != 1 {
				t.Errorf("%s: the confirmation page of %s has no button %q", viewer.name, m, "Revoke access to "+m)
			}
			if action, _ := confirm.button("Revoke access to " + m).Closest("form").Attr("action"); action != href {
				t.Errorf("%s: the confirmation of %s posts to %q", viewer.name, m, action)
			}
		}
		if page.doc.Find("dialog#revoke-dialog").Length() != 1 {
			t.Errorf("%s: the page has no <dialog> to confirm in", viewer.name)
		}
	}
}

func TestOwnersRowHasNoConfirmationPage(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	owner, _ := h.row(h.owner.Email)
	r := a.get(h.revokePath(owner))
	if r.status == http.StatusOK && r.button("Revoke access to "+h.owner.Email).Length() > 0 {
		t.Fatal("the owner's row can be confirmed for revocation")
	}
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 back to the Collaborators tab", r.status)
	}
	r.expectRedirect(h.collaboratorsPath())
	if got := a.get(h.collaboratorsPath()).flash(); got != "The owner's access cannot be revoked: a database always keeps its owner" {
		t.Errorf("flash %q", got)
	}
}
