package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"dbcollab/service"
	"dbcollab/store"
)

// refusingPostgres is an attached PostgreSQL server that refuses every new database.
type refusingPostgres struct{ err error }

func (p refusingPostgres) Address() (string, int) { return "pg.example.com", 5432 }
func (p refusingPostgres) CreateDatabase(context.Context, store.AccessDatabase) error {
	return p.err
}
func (p refusingPostgres) DropDatabase(context.Context, store.AccessDatabase) error { return nil }
func (p refusingPostgres) SetVerifier(context.Context, string, string) error        { return nil }
func (p refusingPostgres) Stats(context.Context, string) (int64, map[string]int, error) {
	return 0, nil, nil
}

// A name taken on the PostgreSQL server, or a server that refuses, is an error next to the
// name field; the form keeps what was typed and nothing is created.
func TestNewDatabaseRefusedByPostgresShowsItNextToTheName(t *testing.T) {
	for _, tc := range []struct {
		refusal error
		message string
	}{
		{service.ErrPostgresNameTaken, "A database already has this name on the PostgreSQL server; choose another"},
		{service.ErrPostgresUnavailable, "The PostgreSQL server could not create the database; try again later"},
	} {
		t.Run(tc.refusal.Error(), func(t *testing.T) {
			h := newHarness(t)
			h.svc.Postgres = refusingPostgres{tc.refusal}
			a := h.signedIn(h.stranger)
			r := a.submit("/databases/new", "/databases", url.Values{"name": {"fresh-db"}, "plan": {service.Plans[0].ID}})
			if r.status != http.StatusConflict && r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 409 or 422", r.status)
			}
			r.expectFieldError("Name", "name", tc.message)
			r.expectField("Name", "fresh-db")
			if page := a.get("/").expectStatus(http.StatusOK); page.doc.Find("[data-testid=databases] a").Length() != 0 {
				t.Errorf("a database was created: %s", page.text("[data-testid=databases]"))
			}
		})
	}
}
