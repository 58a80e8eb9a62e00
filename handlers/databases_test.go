package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/service"
)

func TestNewDatabaseButtonLeadsToTheForm(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.stranger)
	home := a.get("/").expectStatus(http.StatusOK)
	if href, _ := home.link("New database").Attr("href"); href != "/databases/new" {
		t.Fatalf("New database links to %q", href)
	}
	form := a.get("/databases/new").expectStatus(http.StatusOK)
	form.expectField("Name", "")
	options := form.field("Plan").Find("option")
	if options.Length() != len(service.Plans) {
		t.Errorf("%d plans offered, want %d", options.Length(), len(service.Plans))
	}
	form.expectButton("Create database")
}

func TestNewDatabaseRefusesBadInputAndKeepsIt(t *testing.T) {
	base := newHarness(t)
	plan := service.Plans[2]
	for _, tc := range []struct {
		name, plan       string
		field, fieldName string
		message          string
	}{
		{"Orders", plan.ID, "Name", "name", "A name has 3 to 63 lowercase letters, digits and dashes, and starts with a letter"},
		{"1orders", plan.ID, "Name", "name", "A name has 3 to 63 lowercase letters, digits and dashes, and starts with a letter"},
		{"ab", plan.ID, "Name", "name", "A name has 3 to 63 lowercase letters, digits and dashes, and starts with a letter"},
		{"a" + strings.Repeat("b", 63), plan.ID, "Name", "name", "A name has 3 to 63 lowercase letters, digits and dashes, and starts with a letter"},
		{dbName, plan.ID, "Name", "name", "A database already has this name; choose another"},
		{"fresh-db", "postgresql-gold", "Plan", "plan", "Choose one of the plans"},
	} {
		t.Run(tc.name+"/"+tc.plan, func(t *testing.T) {
			h := base.in(t)
			a := h.signedIn(h.stranger)
			r := a.submit("/databases/new", "/databases", url.Values{"name": {tc.name}, "plan": {tc.plan}})
			if r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict {
				t.Fatalf("status %d, want 422 or 409", r.status)
			}
			r.expectFieldError(tc.field, tc.fieldName, tc.message)
			r.expectField("Name", tc.name)
			if tc.plan == plan.ID {
				if got, _ := r.field("Plan").Find("option[selected]").Attr("value"); got != plan.ID {
					t.Errorf("plan shown again is %q, want %q", got, plan.ID)
				}
			}
			if page := a.get("/").expectStatus(http.StatusOK); page.doc.Find("[data-testid=databases] a").Length() != 0 {
				t.Errorf("a database was created: %s", page.text("[data-testid=databases]"))
			}
		})
	}
}

func TestNewDatabaseOpensItsDashboard(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.stranger)
	plan := service.Plans[1]
	a.submit("/databases/new", "/databases", url.Values{"name": {"sams-db"}, "plan": {plan.ID}}).
		expectRedirect("/databases/sams-db")

	overview := a.get("/databases/sams-db").expectStatus(http.StatusOK)
	if got := overview.flash(); got != "sams-db has been created. You are its owner." {
		t.Errorf("flash %q", got)
	}
	if got := overview.text("[data-testid=database-name]"); got != "sams-db" {
		t.Errorf("database name %q", got)
	}
	tabs := overview.doc.Find("nav.tabs a")
	if got := []string{textOf(tabs.Eq(0)), textOf(tabs.Eq(1))}; got[0] != "Overview" || got[1] != "Settings" {
		t.Errorf("tabs %q, want Overview then Settings", got)
	}
	if current, _ := overview.link("Overview").Attr("aria-current"); current != "page" {
		t.Errorf("Overview tab has aria-current %q on the overview", current)
	}
	settingsHref, _ := overview.link("Settings").Attr("href")
	if settingsHref != "/databases/sams-db/settings" {
		t.Fatalf("Settings tab links to %q", settingsHref)
	}

	settings := a.get(settingsHref).expectStatus(http.StatusOK)
	side := settings.doc.Find(`nav[aria-label=Settings] a`)
	if got := []string{textOf(side.Eq(0)), textOf(side.Eq(1))}; side.Length() != 2 || got[0] != "General" || got[1] != "Collaborators" {
		t.Errorf("side menu %q, want General then Collaborators", got)
	}
	if href, _ := settings.link("Collaborators").Attr("href"); href != "/databases/sams-db/settings/collaborators" {
		t.Errorf("Collaborators links to %q", href)
	}
	db, err := h.svc.Database(t.Context(), h.stranger.ID, "sams-db")
	if err != nil {
		t.Fatal(err)
	}
	facts := definitions(settings, "[data-testid=general]")
	for term, want := range map[string]string{
		"Name":  "sams-db",
		"ID":    db.ID,
		"Type":  "PostgreSQL",
		"Plan":  plan.Label,
		"Owner": "sam (sam@example.com)",
	} {
		if facts[term] != want {
			t.Errorf("General says %s is %q, want %q", term, facts[term], want)
		}
	}

	home := a.get("/").expectStatus(http.StatusOK)
	if href, _ := home.link("sams-db").Attr("href"); href != "/databases/sams-db" {
		t.Errorf("the new database is not listed as a link: %q", home.text("main"))
	}
}

// definitions reads a <dl> as term → description.
func definitions(r *response, selector string) map[string]string {
	out := map[string]string{}
	r.doc.Find(selector + " dt").Each(func(_ int, dt *goquery.Selection) {
		out[textOf(dt)] = textOf(dt.NextFiltered("dd"))
	})
	return out
}
