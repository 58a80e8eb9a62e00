package service_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

// lifecycleTTL is the invitations' time to live in these tests; the clock is moved, so
// nothing ever waits for it.
const lifecycleTTL = 72 * time.Hour

// lifecycleStart is when each lifecycle test begins.
var lifecycleStart = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// lifecycle is the database "orders": its owner, bob who collaborates on it, pia who
// bob invited and who has an account, and sam, a stranger. The outbox starts empty.
type lifecycle struct {
	t     *testing.T
	svc   *service.Service
	clock *servicetest.Clock
	db    store.Database

	owner, bob, pia, sam store.User
	piaRow               store.Collaborator
	piaLink              string
}

func newLifecycle(t *testing.T, limit int) *lifecycle {
	t.Helper()
	st, _ := teststore.Open(t)
	clock := servicetest.NewClock(lifecycleStart)
	lc := &lifecycle{t: t, clock: clock, svc: &service.Service{Store: st, BaseURL: "http://dbcollab.test",
		PasswordCost: bcrypt.MinCost, Now: clock.Now, InviteTTL: lifecycleTTL, InviteLimit: limit}}
	lc.owner, lc.bob, lc.pia, lc.sam = lc.signup("owner"), lc.signup("bob"), lc.signup("pia"), lc.signup("sam")
	var err error
	if lc.db, err = lc.svc.CreateDatabase(t.Context(), lc.owner.ID, service.NewDatabaseInput{Name: "orders", Plan: service.Plans[0].ID}); err != nil {
		t.Fatal(err)
	}
	_, bobRow, err := lc.svc.Invite(t.Context(), lc.owner.ID, "orders", lc.bob.Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.AcceptInvitation(t.Context(), lc.bob.ID, lc.linkTo(bobRow.Email)); err != nil {
		t.Fatal(err)
	}
	lc.piaRow, lc.piaLink = lc.invite(lc.bob, lc.pia.Email)
	return lc
}

func (lc *lifecycle) signup(name string) store.User {
	lc.t.Helper()
	u, err := lc.svc.Signup(lc.t.Context(), service.SignupInput{Email: name + "@example.com", Username: name, Password: "password-" + name})
	if err != nil {
		lc.t.Fatal(err)
	}
	return u
}

// invite has actor invite email and returns the row and its link's token.
func (lc *lifecycle) invite(actor store.User, email string) (store.Collaborator, string) {
	lc.t.Helper()
	_, m, err := lc.svc.Invite(lc.t.Context(), actor.ID, "orders", email)
	if err != nil {
		lc.t.Fatalf("%s invites %s: %v", actor.Username, email, err)
	}
	return m, lc.linkTo(m.Email)
}

// resend has actor resend row m's invitation and returns the new link's token.
func (lc *lifecycle) resend(actor store.User, m store.Collaborator) string {
	lc.t.Helper()
	if _, _, err := lc.svc.Resend(lc.t.Context(), actor.ID, "orders", m.ID); err != nil {
		lc.t.Fatalf("%s resends to %s: %v", actor.Username, m.Email, err)
	}
	return lc.linkTo(m.Email)
}

var lifecycleLink = regexp.MustCompile(`http://dbcollab\.test/invitations/([A-Za-z0-9_-]{43})`)

// linkTo empties the outbox and returns the token of the one e-mail to email in it.
func (lc *lifecycle) linkTo(email string) string {
	lc.t.Helper()
	var tokens []string
	for _, e := range lc.outbox() {
		if m := lifecycleLink.FindStringSubmatch(e.Text); e.To == email && m != nil {
			tokens = append(tokens, m[1])
		}
	}
	if len(tokens) != 1 {
		lc.t.Fatalf("%d invitation e-mails to %s in the outbox, want 1", len(tokens), email)
	}
	return tokens[0]
}

// outbox marks every queued e-mail sent and returns them, oldest first.
func (lc *lifecycle) outbox() []store.Email {
	lc.t.Helper()
	var sent []store.Email
	for {
		e, err := lc.svc.Store.NextDueEmail(lc.t.Context())
		if errors.Is(err, store.ErrNotFound) {
			return sent
		}
		if err != nil {
			lc.t.Fatal(err)
		}
		if err := lc.svc.Store.Tx(lc.t.Context(), func(tx store.WriteTx) error { return tx.MarkEmailSent(lc.t.Context(), e.ID, lc.clock.Now()) }); err != nil {
			lc.t.Fatal(err)
		}
		sent = append(sent, e)
	}
}

// recipients empties the outbox and returns who its e-mails were to.
func (lc *lifecycle) recipients() []string {
	lc.t.Helper()
	var to []string
	for _, e := range lc.outbox() {
		to = append(to, e.To)
	}
	return to
}

// status is how the owner's Collaborators list shows email.
func (lc *lifecycle) status(email string) string {
	lc.t.Helper()
	_, rows, err := lc.svc.Collaborators(lc.t.Context(), lc.owner.ID, "orders")
	if err != nil {
		lc.t.Fatal(err)
	}
	for _, m := range rows {
		if m.Email == email {
			return m.Status
		}
	}
	return "not listed"
}

func (lc *lifecycle) state(token string) service.Invitation {
	lc.t.Helper()
	inv, err := lc.svc.Invitation(lc.t.Context(), token)
	if err != nil {
		lc.t.Fatal(err)
	}
	return inv
}

// events lists the database's events as "type actor target" lines, newest first.
func (lc *lifecycle) events() []string {
	lc.t.Helper()
	var out []string
	for page := 1; ; page++ {
		_, list, more, err := lc.svc.Events(lc.t.Context(), lc.owner.ID, "orders", page)
		if err != nil {
			lc.t.Fatal(err)
		}
		for _, e := range list {
			out = append(out, fmt.Sprintf("%s %s %s", e.Type, e.ActorName, e.Target))
		}
		if !more {
			return out
		}
	}
}

// stored describes the database's rows, its events and the outbox, for "nothing changed".
func (lc *lifecycle) stored() string {
	lc.t.Helper()
	rows, err := lc.svc.Store.Collaborators(lc.t.Context(), lc.db.ID)
	if err != nil {
		lc.t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range rows {
		fmt.Fprintf(&b, "%d %s %s %x %v\n", m.ID, m.Email, m.Status, m.TokenHash, m.SentAt)
	}
	fmt.Fprintln(&b, lc.events())
	_, err = lc.svc.Store.NextDueEmail(lc.t.Context())
	fmt.Fprintln(&b, "outbox empty:", errors.Is(err, store.ErrNotFound))
	return b.String()
}

func lifecycleRefusal(t *testing.T, err error, kind service.Kind, message string) {
	t.Helper()
	e, ok := service.AsError(err)
	if !ok || e.Kind != kind || e.Message != message {
		t.Fatalf("error %v (%#v), want kind %d %q", err, e, kind, message)
	}
}

func TestInvitationExpiresItsTTLAfterItWasSent(t *testing.T) {
	lc := newLifecycle(t, 0)
	lc.clock.Advance(lifecycleTTL - time.Microsecond)
	if got := lc.status(lc.pia.Email); got != "pending" {
		t.Fatalf("just before its TTL the invitation is %q", got)
	}
	if inv := lc.state(lc.piaLink); inv.State != service.InvitationOpen {
		t.Fatalf("just before its TTL the link is in state %v", inv.State)
	}

	lc.clock.Advance(time.Microsecond)
	// Still listed, as expired, until resent or revoked.
	if got := lc.status(lc.pia.Email); got != "expired" {
		t.Fatalf("at its TTL the invitation is %q, want expired", got)
	}
	_, m, err := lc.svc.Collaborator(t.Context(), lc.owner.ID, "orders", lc.piaRow.ID)
	if err != nil || m.Status != "expired" {
		t.Errorf("the confirmation page's row is %q, %v; want expired", m.Status, err)
	}
	inv := lc.state(lc.piaLink)
	want := "This invitation has expired. Ask bob, who invited you, or owner, the owner of orders, to resend it."
	if inv.State != service.InvitationExpired || inv.Message() != want {
		t.Errorf("the link says %q (state %v), want %q", inv.Message(), inv.State, want)
	}
	_, err = lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, lc.piaLink)
	lifecycleRefusal(t, err, service.Conflict, want)
	if got := lc.status(lc.pia.Email); got != "expired" {
		t.Errorf("after a refused accept the invitation is %q", got)
	}

	// The stored status does not change: expiry is derived, so a resend simply revives it.
	stored, err := lc.svc.Store.LiveCollaborator(t.Context(), lc.db.ID, lc.piaRow.ID)
	if err != nil || stored.Status != store.StatusPending {
		t.Errorf("stored status %q, %v; want pending", stored.Status, err)
	}
}

func TestExpiredLinkNamesWhoCanResendIt(t *testing.T) {
	lc := newLifecycle(t, 0)
	_, ownerLink := lc.invite(lc.owner, "zoe@example.com")
	rita := lc.signup("rita")
	ritaRow, ritaLink := lc.invite(lc.owner, rita.Email)
	if _, err := lc.svc.AcceptInvitation(t.Context(), rita.ID, ritaLink); err != nil {
		t.Fatal(err)
	}
	_, leaverLink := lc.invite(rita, "yan@example.com")
	// Rita leaves: what she sent is cancelled with her access.
	if _, err := lc.svc.Revoke(t.Context(), rita.ID, "orders", ritaRow.ID); err != nil {
		t.Fatal(err)
	}
	lc.clock.Advance(lifecycleTTL)

	for _, c := range []struct{ who, token, want string }{
		{"invited by a collaborator", lc.piaLink, "This invitation has expired. Ask bob, who invited you, or owner, the owner of orders, to resend it."},
		{"invited by the owner", ownerLink, "This invitation has expired. Ask owner, who invited you and owns orders, to resend it."},
		{"invited by someone who left", leaverLink, "This invitation was cancelled: access to orders was revoked before it was accepted."},
	} {
		if got := lc.state(c.token).Message(); got != c.want {
			t.Errorf("%s: the link says %q, want %q", c.who, got, c.want)
		}
	}
}

func TestRecordExpiriesRecordsEachExpiryOnceAtItsTime(t *testing.T) {
	lc := newLifecycle(t, 0)
	sentAt := lc.clock.Now()
	cancelled, _ := lc.invite(lc.owner, "gone@example.com")
	if _, err := lc.svc.Revoke(t.Context(), lc.owner.ID, "orders", cancelled.ID); err != nil {
		t.Fatal(err)
	}
	lc.outbox()
	record := func() int {
		t.Helper()
		n, err := lc.svc.RecordExpiries(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	lc.clock.Advance(lifecycleTTL - time.Second)
	if n := record(); n != 0 {
		t.Fatalf("before any expiry: %d recorded", n)
	}
	// The sweep runs late; the event is dated when the link expired, not when it noticed.
	lc.clock.Advance(10 * time.Minute)
	if n := record(); n != 1 {
		t.Fatalf("after pia's expiry: %d recorded, want 1", n)
	}
	if n := record(); n != 0 {
		t.Fatalf("a second sweep recorded %d more", n)
	}
	_, events, _, err := lc.svc.Events(t.Context(), lc.owner.ID, "orders", 1)
	if err != nil {
		t.Fatal(err)
	}
	// The expiry happened before the revocation of gone@: it is listed after it.
	var expired []store.Event
	for _, e := range events {
		if e.Type == store.EventExpired {
			expired = append(expired, e)
		}
	}
	if len(expired) != 1 || expired[0].Target != lc.pia.Email || expired[0].ActorID != 0 || !expired[0].At.Equal(sentAt.Add(lifecycleTTL)) {
		t.Fatalf("expired events %+v; want one for pia, by nobody, at %v", expired, sentAt.Add(lifecycleTTL))
	}
	if lc.recipients() != nil {
		t.Error("an expiry e-mailed someone")
	}

	// A resend starts a new link with an expiry of its own.
	resentAt := lc.clock.Now()
	lc.resend(lc.owner, lc.piaRow)
	lc.clock.Advance(lifecycleTTL - time.Second)
	if n := record(); n != 0 {
		t.Fatalf("before the new link expires: %d recorded", n)
	}
	lc.clock.Advance(time.Second)
	if n := record(); n != 1 {
		t.Fatalf("when the new link expires: %d recorded, want 1", n)
	}
	_, events, _, _ = lc.svc.Events(t.Context(), lc.owner.ID, "orders", 1)
	if e := events[0]; e.Type != store.EventExpired || !e.At.Equal(resentAt.Add(lifecycleTTL)) {
		t.Errorf("newest event %+v; want the new link's expiry at %v", e, resentAt.Add(lifecycleTTL))
	}
}

func TestResendSendsAFreshLinkAndRestartsExpiry(t *testing.T) {
	lc := newLifecycle(t, 0)
	lc.clock.Advance(lifecycleTTL + time.Hour)
	if got := lc.status(lc.pia.Email); got != "expired" {
		t.Fatalf("before the resend: %q", got)
	}

	resentAt := lc.clock.Now()
	db, m, err := lc.svc.Resend(t.Context(), lc.owner.ID, "orders", lc.piaRow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if db.Name != "orders" || m.ID != lc.piaRow.ID || m.Status != store.StatusPending || !m.SentAt.Equal(resentAt) {
		t.Errorf("Resend returned %s, %+v; want the same row, pending, sent now", db.Name, m)
	}
	sent := lc.outbox()
	if len(sent) != 1 || sent[0].To != lc.pia.Email {
		t.Fatalf("the resend queued e-mails to %v, want one to pia", sent)
	}
	for _, want := range []string{"orders", "owner"} {
		if !strings.Contains(sent[0].Subject, want) || !strings.Contains(sent[0].Text, want) {
			t.Errorf("the new invitation does not name %q:\n%s\n%s", want, sent[0].Subject, sent[0].Text)
		}
	}
	newLink := lifecycleLink.FindStringSubmatch(sent[0].Text)[1]
	if newLink == lc.piaLink {
		t.Fatal("the resend e-mailed the same link")
	}

	old := lc.state(lc.piaLink)
	wantOld := "This link was replaced: a newer invitation to orders was sent (resent) since. Use the link in the most recent e-mail."
	if old.State != service.InvitationReplaced || old.Message() != wantOld {
		t.Errorf("the old link says %q (state %v), want %q", old.Message(), old.State, wantOld)
	}
	_, err = lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, lc.piaLink)
	lifecycleRefusal(t, err, service.Conflict, wantOld)

	// The expiry counts from the resend.
	lc.clock.Advance(lifecycleTTL - time.Microsecond)
	if got := lc.status(lc.pia.Email); got != "pending" {
		t.Errorf("just before the new link's TTL: %q", got)
	}
	if got := lc.state(newLink).State; got != service.InvitationOpen {
		t.Errorf("the new link is in state %v", got)
	}
	if _, err := lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, newLink); err != nil {
		t.Fatalf("accepting through the new link: %v", err)
	}
	if got := lc.status(lc.pia.Email); got != "accepted" {
		t.Errorf("after accepting: %q", got)
	}
	// Once accepted, the replaced link says so rather than "replaced".
	if got := lc.state(lc.piaLink).State; got != service.InvitationAccepted {
		t.Errorf("the replaced link of an accepted invitation is in state %v", got)
	}
	if got := lc.events()[:2]; !slices.Equal(got, []string{"accepted pia pia@example.com", "resent owner pia@example.com"}) {
		t.Errorf("newest events %q", got)
	}
}

func TestOnlyAnInvitationCanBeResent(t *testing.T) {
	lc := newLifecycle(t, 0)
	rows, err := lc.svc.Store.Collaborators(t.Context(), lc.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	ownerRow, bobRow := rows[0], rows[1]
	cancelled, _ := lc.invite(lc.owner, "gone@example.com")
	if _, err := lc.svc.Revoke(t.Context(), lc.owner.ID, "orders", cancelled.ID); err != nil {
		t.Fatal(err)
	}
	lc.outbox()
	before := lc.stored()

	for _, c := range []struct {
		name  string
		actor store.User
		id    int64
		kind  service.Kind
		msg   string
	}{
		{"the owner's row", lc.bob, ownerRow.ID, service.Invalid, "Only a pending or expired invitation can be sent again"},
		{"an accepted collaborator", lc.owner, bobRow.ID, service.Invalid, "Only a pending or expired invitation can be sent again"},
		{"a cancelled invitation", lc.owner, cancelled.ID, service.NotFound, "Not found"},
		{"a row of no database", lc.owner, 9999, service.NotFound, "Not found"},
		{"as a stranger", lc.sam, lc.piaRow.ID, service.NotFound, "Not found"},
		{"as the pending invitee", lc.pia, lc.piaRow.ID, service.NotFound, "Not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := lc.svc.Resend(t.Context(), c.actor.ID, "orders", c.id)
			lifecycleRefusal(t, err, c.kind, c.msg)
			if after := lc.stored(); after != before {
				t.Errorf("the refused resend changed the store:\n%s\nwant\n%s", after, before)
			}
		})
	}
}

func TestAcceptingNeedsTheInvitedAddress(t *testing.T) {
	lc := newLifecycle(t, 0)
	_, err := lc.svc.AcceptInvitation(t.Context(), lc.sam.ID, lc.piaLink)
	lifecycleRefusal(t, err, service.Invalid, "This invitation was sent to p…@example.com; you are signed in as s…@example.com.")
	if got := lc.status(lc.pia.Email); got != "pending" {
		t.Fatalf("after the refusal pia's row is %q", got)
	}
	if lc.recipients() != nil {
		t.Error("a refused accept e-mailed someone")
	}

	// The comparison ignores case: the address is stored normalised on both sides.
	_, link := lc.invite(lc.owner, "Zoe.Martin@Example.COM")
	zoe, err := lc.svc.Signup(t.Context(), service.SignupInput{Email: "ZOE.MARTIN@example.com", Username: "zoe", Password: "password-zoe"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.AcceptInvitation(t.Context(), zoe.ID, link); err != nil {
		t.Fatalf("accepting with the address in another case: %v", err)
	}
}

func TestMaskEmailKeepsTheFirstLetterAndTheDomain(t *testing.T) {
	for in, want := range map[string]string{
		"user3@example.com":   "u…@example.com",
		"é.dupont@example.fr": "é…@example.fr",
		"a@b.example":         "a…@b.example",
		"no-at-sign":          "…",
		"@example.com":        "…",
	} {
		if got := service.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEveryLinkStateHasItsOwnMessage(t *testing.T) {
	lc := newLifecycle(t, 0)
	_, acceptedLink := lc.invite(lc.owner, "ann@example.com")
	ann := lc.signup("ann")
	if _, err := lc.svc.AcceptInvitation(t.Context(), ann.ID, acceptedLink); err != nil {
		t.Fatal(err)
	}
	cancelled, cancelledLink := lc.invite(lc.owner, "cid@example.com")
	if _, err := lc.svc.Revoke(t.Context(), lc.owner.ID, "orders", cancelled.ID); err != nil {
		t.Fatal(err)
	}
	replaced, replacedLink := lc.invite(lc.owner, "rex@example.com")
	lc.resend(lc.bob, replaced)
	_, expiredLink := lc.invite(lc.owner, "eli@example.com")
	lc.clock.Advance(lifecycleTTL / 2)
	_, openLink := lc.invite(lc.owner, "oli@example.com")
	lc.clock.Advance(lifecycleTTL / 2)

	messages := map[string]bool{}
	for _, c := range []struct {
		name  string
		token string
		state service.InvitationState
		want  string
	}{
		{"open", openLink, service.InvitationOpen, ""},
		{"accepted", acceptedLink, service.InvitationAccepted, "This invitation has already been accepted; it cannot be used again."},
		{"cancelled", cancelledLink, service.InvitationCancelled, "This invitation was cancelled: access to orders was revoked before it was accepted."},
		{"replaced", replacedLink, service.InvitationReplaced, "This link was replaced: a newer invitation to orders was sent (resent) since. Use the link in the most recent e-mail."},
		{"expired", expiredLink, service.InvitationExpired, "This invitation has expired. Ask owner, who invited you and owns orders, to resend it."},
		{"unknown", strings.Repeat("A", 43), service.InvitationUnknown, "This invitation link is not valid. Check that you copied the whole link from the e-mail."},
	} {
		inv := lc.state(c.token)
		if inv.State != c.state || inv.Message() != c.want {
			t.Errorf("%s link: state %v, message %q; want %v, %q", c.name, inv.State, inv.Message(), c.state, c.want)
		}
		if messages[inv.Message()] {
			t.Errorf("%s link: its message is another state's", c.name)
		}
		messages[inv.Message()] = true
	}
}

func TestNotificationsGoToThoseConcernedAndNeverToTheActor(t *testing.T) {
	lc := newLifecycle(t, 0)
	subjects := func() []string {
		t.Helper()
		var out []string
		for _, e := range lc.outbox() {
			out = append(out, e.To+": "+e.Subject)
		}
		return out
	}
	expect := func(what string, want ...string) {
		t.Helper()
		if got := subjects(); !slices.Equal(got, want) {
			t.Errorf("%s e-mailed\n%q\nwant\n%q", what, got, want)
		}
	}

	// Invited by bob: bob and the owner hear of it, pia does not.
	if _, err := lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, lc.piaLink); err != nil {
		t.Fatal(err)
	}
	expect("pia accepting bob's invitation",
		"owner@example.com: pia (pia@example.com) now collaborates on orders",
		"bob@example.com: pia (pia@example.com) now collaborates on orders")

	// Invited by the owner: the owner hears of it once.
	_, link := lc.invite(lc.owner, lc.sam.Email)
	if _, err := lc.svc.AcceptInvitation(t.Context(), lc.sam.ID, link); err != nil {
		t.Fatal(err)
	}
	expect("sam accepting the owner's invitation", "owner@example.com: sam (sam@example.com) now collaborates on orders")

	// Pia leaves: the owner hears of it; pia did it and hears nothing.
	piaRow, err := lc.svc.Store.LiveCollaboratorByEmail(t.Context(), lc.db.ID, lc.pia.Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.Revoke(t.Context(), lc.pia.ID, "orders", piaRow.ID); err != nil {
		t.Fatal(err)
	}
	expect("pia leaving", "owner@example.com: pia (pia@example.com) stopped collaborating on orders")

	// Bob revokes sam: sam hears who did it; neither bob nor the owner is e-mailed.
	samRow, err := lc.svc.Store.LiveCollaboratorByEmail(t.Context(), lc.db.ID, lc.sam.Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.Revoke(t.Context(), lc.bob.ID, "orders", samRow.ID); err != nil {
		t.Fatal(err)
	}
	sent := lc.outbox()
	if len(sent) != 1 || sent[0].To != lc.sam.Email || sent[0].Subject != "Your access to orders was revoked" ||
		!strings.Contains(sent[0].Text, "bob revoked your access to orders") {
		t.Errorf("bob revoking sam e-mailed %+v", sent)
	}

	// The owner cancels an invitation: the invitee hears who did it.
	zoe, _ := lc.invite(lc.bob, "zoe@example.com")
	if _, err := lc.svc.Revoke(t.Context(), lc.owner.ID, "orders", zoe.ID); err != nil {
		t.Fatal(err)
	}
	sent = lc.outbox()
	if len(sent) != 1 || sent[0].To != "zoe@example.com" || sent[0].Subject != "Your invitation to orders was cancelled" ||
		!strings.Contains(sent[0].Text, "owner cancelled your invitation to collaborate on orders") {
		t.Errorf("the owner cancelling zoe's invitation e-mailed %+v", sent)
	}

	// A resend e-mails the invitee only; an expiry e-mails nobody.
	yan, _ := lc.invite(lc.bob, "yan@example.com")
	lc.resend(lc.bob, yan)
	lc.clock.Advance(lifecycleTTL)
	if _, err := lc.svc.RecordExpiries(t.Context()); err != nil {
		t.Fatal(err)
	}
	expect("an expiry")
}

func TestAnInvitationFromAnInviterWhoLeftCannotBeAccepted(t *testing.T) {
	lc := newLifecycle(t, 0)
	bobRow, err := lc.svc.Store.LiveCollaboratorByEmail(t.Context(), lc.db.ID, lc.bob.Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.svc.Revoke(t.Context(), lc.bob.ID, "orders", bobRow.ID); err != nil {
		t.Fatal(err)
	}
	lc.outbox()
	_, err = lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, lc.piaLink)
	lifecycleRefusal(t, err, service.Conflict, "This invitation was cancelled: access to orders was revoked before it was accepted.")
	if sent := lc.outbox(); len(sent) != 0 {
		t.Errorf("a refused acceptance e-mailed %+v", sent)
	}
}

func TestEveryMembershipChangeIsAnEvent(t *testing.T) {
	lc := newLifecycle(t, 0)
	if _, err := lc.svc.AcceptInvitation(t.Context(), lc.pia.ID, lc.piaLink); err != nil {
		t.Fatal(err)
	}
	zoe, _ := lc.invite(lc.pia, "zoe@example.com")
	lc.resend(lc.owner, zoe)
	if _, err := lc.svc.Revoke(t.Context(), lc.bob.ID, "orders", zoe.ID); err != nil {
		t.Fatal(err)
	}
	piaRow, _ := lc.svc.Store.LiveCollaboratorByEmail(t.Context(), lc.db.ID, lc.pia.Email)
	if _, err := lc.svc.Revoke(t.Context(), lc.pia.ID, "orders", piaRow.ID); err != nil {
		t.Fatal(err)
	}
	lc.invite(lc.owner, "yan@example.com")
	lc.clock.Advance(lifecycleTTL)
	if _, err := lc.svc.RecordExpiries(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Refusals are no events.
	lc.svc.Invite(t.Context(), lc.owner.ID, "orders", "bob@example.com")
	lc.svc.Resend(t.Context(), lc.sam.ID, "orders", zoe.ID)

	want := []string{
		"expired  yan@example.com",
		"invited owner yan@example.com",
		"left pia pia@example.com",
		"revoked bob zoe@example.com",
		"resent owner zoe@example.com",
		"invited pia zoe@example.com",
		"accepted pia pia@example.com",
		"invited bob pia@example.com",
		"accepted bob bob@example.com",
		"invited owner bob@example.com",
	}
	if got := lc.events(); !slices.Equal(got, want) {
		t.Errorf("events, newest first:\n got %q\nwant %q", got, want)
	}
}

func TestEventsArePagedAndForMembersOnly(t *testing.T) {
	lc := newLifecycle(t, 0)
	// 3 events so far; 57 more make 60: pages of 25, 25 and 10.
	for i := range 57 {
		lc.clock.Advance(time.Second)
		lc.invite(lc.owner, fmt.Sprintf("guest%02d@example.com", i))
	}
	for _, c := range []struct {
		page, n int
		more    bool
		first   string
	}{
		{1, 25, true, "guest56@example.com"},
		{2, 25, true, "guest31@example.com"},
		{3, 10, false, "guest06@example.com"},
		{4, 0, false, ""},
		{0, 25, true, "guest56@example.com"},
		{1 << 40, 0, false, ""},
	} {
		_, events, more, err := lc.svc.Events(t.Context(), lc.bob.ID, "orders", c.page)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != c.n || more != c.more || (c.n > 0 && events[0].Target != c.first) {
			t.Errorf("page %d: %d events (more: %v), want %d (more: %v) starting with %s", c.page, len(events), more, c.n, c.more, c.first)
		}
	}
	for _, outsider := range []store.User{lc.sam, lc.pia} {
		_, _, _, err := lc.svc.Events(t.Context(), outsider.ID, "orders", 1)
		if !errors.Is(err, service.ErrNotFound) {
			t.Errorf("%s reads the events: %v", outsider.Username, err)
		}
	}
}

func TestInviteLimitCountsInvitationsAndResendsOverRolling24Hours(t *testing.T) {
	// The fixture sent two already (bob's and pia's): a limit of 4 leaves two more.
	lc := newLifecycle(t, 4)
	const message = "This database has reached its limit of 4 invitations in 24 hours; try again later"
	lc.clock.Advance(time.Hour)
	zoe, _ := lc.invite(lc.owner, "zoe@example.com")
	lc.clock.Advance(time.Hour)
	lc.resend(lc.bob, zoe)

	before := lc.stored()
	_, _, err := lc.svc.Invite(t.Context(), lc.bob.ID, "orders", "yan@example.com")
	lifecycleRefusal(t, err, service.TooMany, message)
	if e, _ := service.AsError(err); e.Field != "email" {
		t.Errorf("the limit is reported on field %q, want email (next to the Add form's field)", e.Field)
	}
	_, _, err = lc.svc.Resend(t.Context(), lc.owner.ID, "orders", lc.piaRow.ID)
	lifecycleRefusal(t, err, service.TooMany, message)
	if after := lc.stored(); after != before {
		t.Errorf("a refused invitation changed the store:\n%s\nwant\n%s", after, before)
	}

	// Another database has a limit of its own.
	if _, err := lc.svc.CreateDatabase(t.Context(), lc.bob.ID, service.NewDatabaseInput{Name: "billing", Plan: service.Plans[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lc.svc.Invite(t.Context(), lc.bob.ID, "billing", "yan@example.com"); err != nil {
		t.Errorf("inviting to another database: %v", err)
	}
	lc.outbox()

	// The window rolls: 24 hours after the fixture's two invitations, two more may go.
	lc.clock.Advance(22*time.Hour - time.Microsecond)
	_, _, err = lc.svc.Invite(t.Context(), lc.owner.ID, "orders", "yan@example.com")
	lifecycleRefusal(t, err, service.TooMany, message)
	lc.clock.Advance(time.Microsecond)
	lc.invite(lc.owner, "yan@example.com")
	lc.invite(lc.bob, "xia@example.com")
	_, _, err = lc.svc.Invite(t.Context(), lc.owner.ID, "orders", "wes@example.com")
	lifecycleRefusal(t, err, service.TooMany, message)
}

func TestInviteLimitDefaultsAndZero(t *testing.T) {
	t.Run("the default 50", func(t *testing.T) {
		lc := newLifecycle(t, service.DefaultInviteLimit)
		for i := 2; i < 50; i++ {
			lc.invite(lc.owner, fmt.Sprintf("guest%02d@example.com", i))
		}
		_, _, err := lc.svc.Invite(t.Context(), lc.owner.ID, "orders", "one-more@example.com")
		lifecycleRefusal(t, err, service.TooMany, "This database has reached its limit of 50 invitations in 24 hours; try again later")
	})
	t.Run("0 is no limit", func(t *testing.T) {
		lc := newLifecycle(t, 0)
		for i := range 60 {
			lc.invite(lc.owner, fmt.Sprintf("guest%02d@example.com", i))
		}
	})
}

func TestDeliveryStateOfAnInvitation(t *testing.T) {
	lc := newLifecycle(t, 0)
	m, _ := lc.invite(lc.owner, "zoe@example.com")
	delivery := func() store.Delivery {
		t.Helper()
		_, rows, err := lc.svc.Collaborators(t.Context(), lc.bob.ID, "orders")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ID == m.ID {
				return r.Delivery
			}
		}
		t.Fatal("zoe is not listed")
		return store.Delivery{}
	}
	// lc.invite drained the outbox as the sender would.
	if d := delivery(); d.State() != "sent" {
		t.Errorf("a delivered invitation is %q", d.State())
	}
	_, _, err := lc.svc.Resend(t.Context(), lc.owner.ID, "orders", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := delivery(); d.State() != "queued" {
		t.Errorf("a fresh resend is %q, want queued", d.State())
	}
	if err := lc.svc.Store.Tx(t.Context(), func(tx store.WriteTx) error {
		return tx.MarkEmailFailed(t.Context(), lc.lastEmailID(m), "421 4.3.0 mailbox busy", lc.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if d := delivery(); d.State() != "failing" || d.LastError != "421 4.3.0 mailbox busy" {
		t.Errorf("after a failed attempt: %q %q", d.State(), d.LastError)
	}
}

// lastEmailID is the outbox e-mail of row m's current link.
func (lc *lifecycle) lastEmailID(m store.Collaborator) int64 {
	lc.t.Helper()
	row, err := lc.svc.Store.LiveCollaborator(lc.t.Context(), lc.db.ID, m.ID)
	if err != nil {
		lc.t.Fatal(err)
	}
	return row.EmailID
}

func TestEventsAndRowsNeverHoldTheLink(t *testing.T) {
	lc := newLifecycle(t, 0)
	resent := lc.resend(lc.owner, lc.piaRow)
	_, events, _, err := lc.svc.Events(t.Context(), lc.owner.ID, "orders", 1)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := lc.svc.Collaborators(t.Context(), lc.owner.ID, "orders")
	if err != nil {
		t.Fatal(err)
	}
	dump := fmt.Sprintf("%+v %+v", events, rows)
	for _, token := range []string{lc.piaLink, resent} {
		if strings.Contains(dump, token) {
			t.Errorf("the token %s is in what members read:\n%s", token, dump)
		}
	}
}
