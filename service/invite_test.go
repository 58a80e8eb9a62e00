package service_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

func TestOwnerInvitesByEmail(t *testing.T) {
	w := newWorld(t)
	db, row, err := w.svc.Invite(t.Context(), w.owner.ID, dbName, "dave@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if db.ID != w.db.ID || db.Name != dbName {
		t.Errorf("Invite returned database %s %q, want %s %q", db.ID, db.Name, w.db.ID, dbName)
	}
	if row.ID == 0 || row.DatabaseID != w.db.ID || row.Email != "dave@example.com" || row.Status != store.StatusPending ||
		row.UserID != 0 || row.InvitedBy != w.owner.ID || row.InviterName != "owner" || row.Role() != "collaborator" ||
		len(row.TokenHash) == 0 {
		t.Errorf("invitation = %+v, want a pending row for dave@example.com invited by owner with a token hash", row)
	}
	w.assertRows(t, "owner@example.com owner", "collaborator@example.com accepted",
		"invitee@example.com pending", "dave@example.com pending")

	t.Run("by the database's ID as well as its name", func(t *testing.T) {
		if _, _, err := w.svc.Invite(t.Context(), w.owner.ID, w.db.ID, "erin@example.com"); err != nil {
			t.Fatal(err)
		}
		if got := w.rows(t); got[len(got)-1].Email != "erin@example.com" {
			t.Errorf("last row = %s, want erin@example.com", got[len(got)-1].Email)
		}
	})
}

func TestInviteNormalisesAddress(t *testing.T) {
	w := newWorld(t)
	_, row, err := w.svc.Invite(t.Context(), w.owner.ID, dbName, "  Dave.Smith@Example.COM\t")
	if err != nil {
		t.Fatal(err)
	}
	if row.Email != "dave.smith@example.com" {
		t.Errorf("stored address = %q, want it trimmed and lower-cased", row.Email)
	}
	w.takeEmail(t, "dave.smith@example.com") // the e-mail goes to the normalised address too
	_, _, err = w.svc.Invite(t.Context(), w.collaborator.ID, dbName, "DAVE.SMITH@example.com ")
	wantError(t, err, service.Conflict, "email", "dave.smith@example.com has already been invited to orders")
}

func TestInviteRefusesOwnerCollaboratorAndPending(t *testing.T) {
	cases := []struct {
		who, address, message string
	}{
		{"the owner", " OWNER@example.com", "owner@example.com is the owner of orders"},
		{"an accepted collaborator", "Collaborator@Example.com", "collaborator@example.com already collaborates on orders"},
		{"a pending invitee", "invitee@EXAMPLE.COM ", "invitee@example.com has already been invited to orders"},
	}
	w := newWorld(t)
	before := table(w.rows(t))
	for _, actor := range w.members() {
		t.Run(actor.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.who, func(t *testing.T) {
					_, _, err := w.svc.Invite(t.Context(), actor.user.ID, dbName, c.address)
					wantError(t, err, service.Conflict, "email", c.message)
					w.assertRows(t, before...)
					w.assertNoEmailQueued(t)
				})
			}
		})
	}
}

// invalidAddresses are refused wherever an address is typed, with the message to show.
var invalidAddresses = []struct {
	why, address, message string
}{
	{"empty", "", "Enter an e-mail address"},
	{"only spaces", " \t ", "Enter an e-mail address"},
	{"no @", "dave.example.com", "Enter a valid e-mail address, like name@example.com"},
	{"two @", "dave@evil@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"nothing before @", "@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"nothing after @", "dave@", "Enter a valid e-mail address, like name@example.com"},
	{"a host without a dot", "dave@localhost", "Enter a valid e-mail address, like name@example.com"},
	{"an IP literal", "dave@[127.0.0.1]", "Enter a valid e-mail address, like name@example.com"},
	{"CR inside", "dave\r@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"LF inside", "dave@exa\nmple.com", "Enter a valid e-mail address, like name@example.com"},
	{"a header injection", "dave@example.com\r\nBcc: everyone@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"a trailing CR LF", "dave@example.com\r\n", "Enter a valid e-mail address, like name@example.com"},
	{"a leading LF", "\ndave@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"NUL", "dave\x00@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"a trailing NUL", "dave@example.com\x00", "Enter a valid e-mail address, like name@example.com"},
	{"a display name", "Dave <dave@example.com>", "Enter a valid e-mail address, like name@example.com"},
	{"a quoted display name", `"Dave" <dave@example.com>`, "Enter a valid e-mail address, like name@example.com"},
	{"angle brackets", "<dave@example.com>", "Enter a valid e-mail address, like name@example.com"},
	{"a comment", "dave@example.com (Dave)", "Enter a valid e-mail address, like name@example.com"},
	{"a quoted local part", `"dave"@example.com`, "Enter a valid e-mail address, like name@example.com"},
	{"a space inside", "dave smith@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"two addresses", "dave@example.com, erin@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"HTML", "<script>alert(1)</script>@example.com", "Enter a valid e-mail address, like name@example.com"},
	{"255 characters", longAddress(255), "An e-mail address has at most 254 characters"},
}

// longAddress returns an otherwise valid address of n bytes.
func longAddress(n int) string {
	const domain = "@example.com"
	return strings.Repeat("a", n-len(domain)) + domain
}

func TestInviteRefusesInvalidAddresses(t *testing.T) {
	w := newWorld(t)
	before := table(w.rows(t))
	for _, actor := range w.members() {
		t.Run(actor.name, func(t *testing.T) {
			for _, c := range invalidAddresses {
				t.Run(c.why, func(t *testing.T) {
					_, _, err := w.svc.Invite(t.Context(), actor.user.ID, dbName, c.address)
					wantError(t, err, service.Invalid, "email", c.message)
					w.assertRows(t, before...)
					w.assertNoEmailQueued(t)
				})
			}
		})
	}
}

func TestInviteAcceptsUnusualButValidAddresses(t *testing.T) {
	w := newWorld(t)
	for _, address := range []string{longAddress(254), "dave'--@example.com", "dave+orders@mail.example.co.uk", "zoë@exämple.com"} {
		_, row, err := w.svc.Invite(t.Context(), w.owner.ID, dbName, address)
		if err != nil {
			t.Errorf("Invite(%q) = %v, want it accepted", address, err)
			continue
		}
		if row.Email != address {
			t.Errorf("Invite(%q) stored %q", address, row.Email)
		}
	}
}

func TestInvitationQueuesEmailInSameTransaction(t *testing.T) {
	w := newWorld(t)
	_, row, err := w.svc.Invite(t.Context(), w.collaborator.ID, dbName, "dave@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if n := w.queued.Load(); n != 1 {
		t.Errorf("the e-mail sender was woken %d times, want once", n)
	}

	t.Run("the e-mail names the database and the inviter and carries the link", func(t *testing.T) {
		e := w.takeEmail(t, "dave@example.com")
		token := linkToken(t, e)
		hash, ok := service.ParseInvitationToken(token)
		if !ok || !bytes.Equal(hash, row.TokenHash) {
			t.Errorf("the link's token %q does not hash to the stored row's token hash", token)
		}
		link := "http://example.test/invitations/" + token
		for _, part := range []struct{ name, text string }{{"subject", e.Subject}, {"text", e.Text}, {"HTML", e.HTML}} {
			for _, want := range []string{dbName, "collaborator"} {
				if !strings.Contains(part.text, want) {
					t.Errorf("the %s does not name %q:\n%s", part.name, want, part.text)
				}
			}
		}
		for _, part := range []struct{ name, text string }{{"text", e.Text}, {"HTML", e.HTML}} {
			if !strings.Contains(part.text, link) {
				t.Errorf("the %s has no link %s:\n%s", part.name, link, part.text)
			}
		}
		if !strings.Contains(e.Text, "collaborator@example.com") {
			t.Errorf("the text does not give the inviter's address:\n%s", e.Text)
		}
	})

	// Whichever of the two writes comes second, making it fail must undo the first.
	for _, table := range []string{"outbox", "collaborators"} {
		t.Run("when the write to "+table+" fails, nothing is stored", func(t *testing.T) {
			w.queued.Store(0)
			refuseInserts(t, w.dsn, table, true)
			_, _, err := w.svc.Invite(t.Context(), w.owner.ID, dbName, "erin@example.com")
			if err == nil || !strings.Contains(err.Error(), "refused by the test") {
				t.Fatalf("Invite = %v, want the failed write's error", err)
			}
			for _, m := range w.rows(t) {
				if m.Email == "erin@example.com" {
					t.Errorf("the invitation of erin@example.com was stored")
				}
			}
			w.assertNoEmailQueued(t)

			refuseInserts(t, w.dsn, table, false)
			_, erin, err := w.svc.Invite(t.Context(), w.owner.ID, dbName, "erin@example.com")
			if err != nil {
				t.Fatalf("Invite once writes work again = %v", err)
			}
			w.takeEmail(t, "erin@example.com")
			if _, err := w.svc.Revoke(t.Context(), w.owner.ID, dbName, erin.ID); err != nil {
				t.Fatal(err)
			}
			w.drainOutbox(t)
		})
	}
}

// refuseInserts makes every insert into table fail, or stops doing so, through a trigger
// installed from a second connection to the same store.
func refuseInserts(t *testing.T, dsn, table string, refuse bool) {
	t.Helper()
	stmts := []string{`DROP TRIGGER refuse_` + table}
	if refuse {
		stmts = []string{`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table +
			` BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
	}
	if teststore.Postgres() {
		stmts = []string{`DROP TRIGGER refuse_` + table + ` ON ` + table}
		if refuse {
			stmts = []string{
				`CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS
				$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$`,
				`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION refuse_insert()`,
			}
		}
	}
	db := teststore.SQL(t, dsn)
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStrangerAndPendingInviteeSeeNothing(t *testing.T) {
	w := newWorld(t)
	former, formerRow := w.member(t, "former")
	if _, err := w.svc.Revoke(t.Context(), w.owner.ID, dbName, formerRow.ID); err != nil {
		t.Fatal(err)
	}
	w.drainOutbox(t)
	w.queued.Store(0)
	before := table(w.rows(t))

	outsiders := []role{{"stranger", w.stranger}, {"pending invitee", w.invitee}, {"revoked collaborator", former}}
	for _, o := range outsiders {
		t.Run(o.name, func(t *testing.T) {
			id := o.user.ID
			for _, ref := range []string{dbName, w.db.ID} {
				_, err := w.svc.Database(t.Context(), id, ref)
				wantNotFound(t, "Database "+ref, err)
				_, _, err = w.svc.Collaborators(t.Context(), id, ref)
				wantNotFound(t, "Collaborators "+ref, err)
				for _, address := range []string{"dave@example.com", "not-an-address", "dave@example.com\r\nBcc: x@example.com", w.owner.Email, w.invitee.Email} {
					_, _, err = w.svc.Invite(t.Context(), id, ref, address)
					wantNotFound(t, fmt.Sprintf("Invite %q on %s", address, ref), err)
				}
				for _, row := range []store.Collaborator{w.ownerRow, w.collaboratorRow, w.inviteeRow} {
					_, _, err = w.svc.Collaborator(t.Context(), id, ref, row.ID)
					wantNotFound(t, "Collaborator "+row.Email, err)
					_, err = w.svc.Revoke(t.Context(), id, ref, row.ID)
					wantNotFound(t, "Revoke "+row.Email, err)
				}
			}
			list, err := w.svc.Databases(t.Context(), id)
			if err != nil || len(list) != 0 {
				t.Errorf("Databases = %v, %v; want none", list, err)
			}
			w.assertRows(t, before...)
			w.assertNoEmailQueued(t)
		})
	}

	t.Run("unknown database", func(t *testing.T) {
		_, err := w.svc.Database(t.Context(), w.owner.ID, "no-such-db")
		wantNotFound(t, "Database no-such-db", err)
		_, _, err = w.svc.Invite(t.Context(), w.owner.ID, "no-such-db", "not-an-address")
		wantNotFound(t, "Invite on no-such-db", err)
	})
}

func TestMembersCannotReachRowsOfAnotherDatabase(t *testing.T) {
	w := newWorld(t)
	other := servicetest.NewOtherDatabase(t, w.svc, w.stranger.ID, "billing", "dave@example.com")
	otherRow := other.Invited
	for _, actor := range w.members() {
		t.Run(actor.name, func(t *testing.T) {
			_, err := w.svc.Revoke(t.Context(), actor.user.ID, dbName, otherRow.ID)
			wantNotFound(t, "Revoke a row of billing through orders", err)
			_, _, err = w.svc.Collaborator(t.Context(), actor.user.ID, dbName, otherRow.ID)
			wantNotFound(t, "Collaborator of billing through orders", err)
		})
	}
	list, err := w.st.Collaborators(t.Context(), other.ID)
	if err != nil || len(list) != 2 {
		t.Errorf("billing's rows = %q, %v; want its owner and dave, untouched", table(list), err)
	}
}
