package service_test

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/store"
)

const dbName = "orders"

func TestMain(m *testing.M) { os.Exit(teststore.Main(m)) }

// newService opens a fresh store on the backend internal/teststore chooses. The returned
// counter says how many times the service woke the e-mail sender.
func newService(t *testing.T) (*service.Service, *store.Store, string, *atomic.Int32) {
	t.Helper()
	st, dsn := teststore.Open(t)
	var queued atomic.Int32
	svc := &service.Service{Store: st, BaseURL: "http://example.test", PasswordCost: bcrypt.MinCost,
		EmailQueued: func() { queued.Add(1) }}
	return svc, st, dsn, &queued
}

// signup makes the account name@example.com with username name.
func signup(t *testing.T, svc *service.Service, name string) store.User {
	t.Helper()
	u, err := svc.Signup(t.Context(), service.SignupInput{Email: name + "@example.com", Username: name, Password: "password-" + name})
	if err != nil {
		t.Fatalf("Signup(%s): %v", name, err)
	}
	return u
}

// world is the database "orders" seen by every role: its owner, an accepted
// collaborator, a pending invitee who has an account, and a stranger.
type world struct {
	svc    *service.Service
	st     *store.Store
	dsn    string
	queued *atomic.Int32
	db     store.Database

	owner, collaborator, invitee, stranger store.User
	ownerRow, collaboratorRow, inviteeRow  store.Collaborator
	collaboratorToken, inviteeToken        string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{}
	w.svc, w.st, w.dsn, w.queued = newService(t)
	w.owner = signup(t, w.svc, "owner")
	w.collaborator = signup(t, w.svc, "collaborator")
	w.invitee = signup(t, w.svc, "invitee")
	w.stranger = signup(t, w.svc, "stranger")
	var err error
	if w.db, err = w.svc.CreateDatabase(t.Context(), w.owner.ID, service.NewDatabaseInput{Name: dbName, Plan: service.Plans[0].ID}); err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	w.collaboratorRow, w.collaboratorToken = w.invite(t, w.owner, w.collaborator.Email)
	w.accept(t, w.collaborator, w.collaboratorToken)
	w.inviteeRow, w.inviteeToken = w.invite(t, w.owner, w.invitee.Email)
	w.ownerRow = w.rows(t)[0]
	w.queued.Store(0)
	return w
}

// role is someone of the world, named for subtests.
type role struct {
	name string
	user store.User
}

// members are the roles that may list, invite and revoke: the owner and an accepted collaborator.
func (w *world) members() []role {
	return []role{{"owner", w.owner}, {"accepted collaborator", w.collaborator}}
}

// invite has actor invite email to "orders" and returns the row and the token of the
// link e-mailed to it.
func (w *world) invite(t *testing.T, actor store.User, email string) (store.Collaborator, string) {
	t.Helper()
	_, row, err := w.svc.Invite(t.Context(), actor.ID, dbName, email)
	if err != nil {
		t.Fatalf("%s invites %s: %v", actor.Username, email, err)
	}
	return row, linkToken(t, w.takeEmail(t, row.Email))
}

// accept has u accept the invitation behind token.
func (w *world) accept(t *testing.T, u store.User, token string) {
	t.Helper()
	if _, err := w.svc.AcceptInvitation(t.Context(), u.ID, token); err != nil {
		t.Fatalf("%s accepts: %v", u.Username, err)
	}
}

// member signs up name, has the owner invite them and accepts.
func (w *world) member(t *testing.T, name string) (store.User, store.Collaborator) {
	t.Helper()
	u := signup(t, w.svc, name)
	row, token := w.invite(t, w.owner, u.Email)
	w.accept(t, u, token)
	return u, row
}

// takeEmail empties the outbox, which must hold exactly one e-mail to the address to,
// and returns that e-mail. E-mails to others (notices of other changes) are let go.
func (w *world) takeEmail(t *testing.T, to string) store.Email {
	t.Helper()
	sent := w.drainOutbox(t)
	var mine []store.Email
	for _, e := range sent {
		if e.To == to {
			mine = append(mine, e)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("outbox held e-mails to %v, want exactly one to %s", recipients(sent), to)
	}
	return mine[0]
}

// drainOutbox marks every queued e-mail sent and returns them, oldest first.
func (w *world) drainOutbox(t *testing.T) []store.Email {
	t.Helper()
	return drainOutbox(t, w.st)
}

func drainOutbox(t *testing.T, st *store.Store) []store.Email {
	t.Helper()
	var sent []store.Email
	for {
		e, err := st.NextDueEmail(t.Context())
		if errors.Is(err, store.ErrNotFound) {
			return sent
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Tx(t.Context(), func(tx store.WriteTx) error { return tx.MarkEmailSent(t.Context(), e.ID, e.CreatedAt) }); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, e)
	}
}

// assertNoEmailQueued checks that the outbox is empty and nobody woke the sender.
func (w *world) assertNoEmailQueued(t *testing.T) {
	t.Helper()
	if sent := w.drainOutbox(t); len(sent) > 0 {
		t.Errorf("e-mail queued to %v, want none", recipients(sent))
	}
	if n := w.queued.Load(); n != 0 {
		t.Errorf("the e-mail sender was woken %d times, want 0", n)
	}
}

func recipients(list []store.Email) []string {
	var to []string
	for _, e := range list {
		to = append(to, e.To)
	}
	return to
}

var linkPattern = regexp.MustCompile(`http://example\.test/invitations/([A-Za-z0-9_-]+)`)

// linkToken returns the token of the invitation link in an e-mail's text.
func linkToken(t *testing.T, e store.Email) string {
	t.Helper()
	m := linkPattern.FindStringSubmatch(e.Text)
	if m == nil {
		t.Fatalf("no invitation link in the e-mail to %s:\n%s", e.To, e.Text)
	}
	return m[1]
}

// rows returns the live rows of "orders", read from the store directly.
func (w *world) rows(t *testing.T) []store.Collaborator {
	t.Helper()
	list, err := w.st.Collaborators(t.Context(), w.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// table renders the live rows as "email status" lines, the way the Collaborators tab lists them.
func table(list []store.Collaborator) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.Email+" "+m.Status)
	}
	return out
}

// assertRows checks the live rows of "orders".
func (w *world) assertRows(t *testing.T, want ...string) {
	t.Helper()
	if got := table(w.rows(t)); !slices.Equal(got, want) {
		t.Errorf("collaborators of orders = %q, want %q", got, want)
	}
}

// seesDatabase reports whether u may see "orders", and fails on errors other than not found.
func (w *world) seesDatabase(t *testing.T, u store.User) bool {
	t.Helper()
	_, err := w.svc.Database(t.Context(), u.ID, dbName)
	if errors.Is(err, service.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// wantError checks that err is the rule error of that kind, field and message.
func wantError(t *testing.T, err error, kind service.Kind, field, message string) {
	t.Helper()
	e, ok := service.AsError(err)
	if !ok {
		t.Fatalf("error = %v, want %q on field %q", err, message, field)
	}
	if e.Kind != kind || e.Field != field || e.Message != message {
		t.Errorf("error = {kind %d, field %q, %q}, want {kind %d, field %q, %q}", e.Kind, e.Field, e.Message, kind, field, message)
	}
}

// wantNotFound checks that err is the answer to anything the user may not see.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, service.ErrNotFound) {
		t.Errorf("%s: %v, want service.ErrNotFound", what, err)
	}
}
