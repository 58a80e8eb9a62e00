package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"dbcollab/store"
)

// lifecycleClock is when the invitations of these tests are first sent.
var lifecycleClock = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// lifecycleStore is a fresh store with one database (its owner's row included), a
// second database, and the accounts who act on them.
type lifecycleStore struct {
	t          *testing.T
	st         *store.Store
	db, other  store.Database
	owner, bob store.User
}

func newLifecycleStore(t *testing.T) *lifecycleStore {
	t.Helper()
	st := store.OpenTestStore(t)
	ls := &lifecycleStore{t: t, st: st}
	ls.owner = ls.user("owner@example.com", "owner")
	ls.bob = ls.user("bob@example.com", "bob")
	ls.db = ls.database("db_1", "orders")
	ls.other = ls.database("db_2", "billing")
	ls.insert(store.Collaborator{DatabaseID: ls.db.ID, Email: ls.owner.Email, UserID: ls.owner.ID,
		Status: store.StatusOwner, InvitedAt: lifecycleClock, AcceptedAt: lifecycleClock})
	return ls
}

func (ls *lifecycleStore) user(email, username string) store.User {
	ls.t.Helper()
	u := store.User{Email: email, Username: username, PasswordHash: "x", CreatedAt: lifecycleClock}
	if err := ls.st.Tx(context.Background(), func(tx store.WriteTx) error { return tx.CreateUser(context.Background(), &u) }); err != nil {
		ls.t.Fatal(err)
	}
	return u
}

func (ls *lifecycleStore) database(id, name string) store.Database {
	ls.t.Helper()
	d := store.Database{ID: id, Name: name, Plan: "starter", OwnerID: ls.owner.ID, CreatedAt: lifecycleClock}
	if err := ls.st.Tx(context.Background(), func(tx store.WriteTx) error { return tx.CreateDatabase(context.Background(), d) }); err != nil {
		ls.t.Fatal(err)
	}
	return d
}

func (ls *lifecycleStore) insert(m store.Collaborator) store.Collaborator {
	ls.t.Helper()
	if err := ls.st.Tx(context.Background(), func(tx store.WriteTx) error { return tx.InsertCollaborator(context.Background(), &m) }); err != nil {
		ls.t.Fatal(err)
	}
	return m
}

// email queues an invitation e-mail to addr.
func (ls *lifecycleStore) email(addr string) store.Email {
	ls.t.Helper()
	e := store.Email{To: addr, Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: lifecycleClock}
	if err := ls.st.Tx(context.Background(), func(tx store.WriteTx) error { return tx.EnqueueEmail(context.Background(), &e) }); err != nil {
		ls.t.Fatal(err)
	}
	return e
}

// invite inserts a pending row for addr on db whose link (token) was e-mailed at sentAt.
func (ls *lifecycleStore) invite(db store.Database, addr, token string, sentAt time.Time) store.Collaborator {
	ls.t.Helper()
	return ls.insert(store.Collaborator{DatabaseID: db.ID, Email: addr, Status: store.StatusPending,
		InvitedBy: ls.owner.ID, TokenHash: lifecycleHash(token), InvitedAt: sentAt, SentAt: sentAt,
		EmailID: ls.email(addr).ID})
}

func (ls *lifecycleStore) event(db store.Database, typ string, actor int64, target string, at time.Time) {
	ls.t.Helper()
	if err := ls.st.Tx(context.Background(), func(tx store.WriteTx) error {
		return tx.InsertEvent(context.Background(), store.Event{DatabaseID: db.ID, Type: typ, ActorID: actor, Target: target, At: at})
	}); err != nil {
		ls.t.Fatal(err)
	}
}

func lifecycleHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func TestResendReplacesTheLinkAndRemembersTheOldOne(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	m := ls.invite(ls.db, "pia@example.com", "first", lifecycleClock)
	resentAt := lifecycleClock.Add(3 * time.Hour)
	second := ls.email(m.Email)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.ReplaceInvitationToken(ctx, m.ID, lifecycleHash("second"), second.ID, resentAt)
	}); err != nil {
		t.Fatal(err)
	}

	if _, err := ls.st.CollaboratorByTokenHash(ctx, lifecycleHash("first")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old link still finds a row: %v", err)
	}
	old, err := ls.st.CollaboratorByReplacedToken(ctx, lifecycleHash("first"))
	if err != nil || old.ID != m.ID {
		t.Fatalf("the old link is not remembered as replaced: %+v, %v", old, err)
	}
	cur, err := ls.st.CollaboratorByTokenHash(ctx, lifecycleHash("second"))
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID != m.ID || cur.Status != store.StatusPending || !cur.SentAt.Equal(resentAt) || cur.EmailID != second.ID {
		t.Errorf("after the resend the row is %+v; want pending, sent at %v, e-mail %d", cur, resentAt, second.ID)
	}
	if !cur.InvitedAt.Equal(lifecycleClock) {
		t.Errorf("the resend moved the invitation date to %v", cur.InvitedAt)
	}
	if _, err := ls.st.CollaboratorByReplacedToken(ctx, lifecycleHash("second")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the current link is listed as replaced: %v", err)
	}
}

func TestOnlyAPendingRowGetsANewLink(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	accepted := ls.invite(ls.db, "bob@example.com", "bob", lifecycleClock)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.AcceptInvitation(ctx, accepted.ID, ls.bob.ID, lifecycleClock) }); err != nil {
		t.Fatal(err)
	}
	revoked := ls.invite(ls.db, "rita@example.com", "rita", lifecycleClock)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.EndCollaboration(ctx, revoked.ID, store.StatusRevoked, lifecycleClock)
	}); err != nil {
		t.Fatal(err)
	}
	owner, err := ls.st.LiveCollaboratorByEmail(ctx, ls.db.ID, ls.owner.Email)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]store.Collaborator{"accepted": accepted, "revoked": revoked, "owner": owner} {
		mail := ls.email(m.Email)
		if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
			return tx.ReplaceInvitationToken(ctx, m.ID, lifecycleHash("new-"+name), mail.ID, lifecycleClock)
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s row: ReplaceInvitationToken = %v, want ErrNotFound", name, err)
		}
		if m.TokenHash == nil {
			continue // the owner's row never had a link
		}
		if _, err := ls.st.CollaboratorByReplacedToken(ctx, m.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s row: its link was recorded as replaced", name)
		}
	}
	// The refusal is in one transaction with the rest of a resend: nothing half-done.
	again := ls.email(revoked.Email)
	err = ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.ReplaceInvitationToken(ctx, revoked.ID, lifecycleHash("again"), again.ID, lifecycleClock)
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("in a transaction: %v", err)
	}
	if m, err := ls.st.CollaboratorByTokenHash(ctx, revoked.TokenHash); err != nil || m.Status != store.StatusRevoked {
		t.Errorf("the revoked row changed: %+v, %v", m, err)
	}
}

// TestMarkExpiryRecordedOnlyOnce: a link's expiry is recorded once; marking it again
// (a second sweep) changes nothing and says so.
func TestMarkExpiryRecordedOnlyOnce(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	m := ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock)
	mark := func(at time.Time) error {
		return ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkExpiryRecorded(ctx, m.ID, at) })
	}
	if err := mark(lifecycleClock.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := mark(lifecycleClock.Add(2 * time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("marking a recorded expiry again: %v, want ErrNotFound", err)
	}
}

func TestUnrecordedExpiriesListEachLinkOnce(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	ttl := 7 * 24 * time.Hour
	early := ls.invite(ls.db, "early@example.com", "early", lifecycleClock)
	late := ls.invite(ls.other, "late@example.com", "late", lifecycleClock.Add(time.Hour))
	accepted := ls.invite(ls.db, "bob@example.com", "bob", lifecycleClock)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.AcceptInvitation(ctx, accepted.ID, ls.bob.ID, lifecycleClock) }); err != nil {
		t.Fatal(err)
	}
	cancelled := ls.invite(ls.db, "gone@example.com", "gone", lifecycleClock)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.EndCollaboration(ctx, cancelled.ID, store.StatusRevoked, lifecycleClock)
	}); err != nil {
		t.Fatal(err)
	}
	expiredBy := func(now time.Time) []string {
		t.Helper()
		list, err := ls.st.UnrecordedExpiries(ctx, now.Add(-ttl))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range list {
			out = append(out, m.Email)
		}
		return out
	}

	if got := expiredBy(lifecycleClock.Add(ttl - time.Microsecond)); len(got) != 0 {
		t.Errorf("before any link is a week old: %q", got)
	}
	// A link expires when exactly the TTL has passed since it was sent.
	if got := expiredBy(lifecycleClock.Add(ttl)); !slices.Equal(got, []string{"early@example.com"}) {
		t.Errorf("at the first link's expiry: %q", got)
	}
	if got := expiredBy(lifecycleClock.Add(ttl + time.Hour)); !slices.Equal(got, []string{"early@example.com", "late@example.com"}) {
		t.Errorf("at the second link's expiry, oldest first: %q", got)
	}
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkExpiryRecorded(ctx, early.ID, lifecycleClock.Add(ttl)) }); err != nil {
		t.Fatal(err)
	}
	if got := expiredBy(lifecycleClock.Add(ttl + time.Hour)); !slices.Equal(got, []string{"late@example.com"}) {
		t.Errorf("after recording the first expiry: %q", got)
	}

	// A resend gives the row a new link, whose own expiry is recorded in its turn.
	resentAt := lifecycleClock.Add(ttl + 2*time.Hour)
	mail := ls.email(early.Email)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.ReplaceInvitationToken(ctx, early.ID, lifecycleHash("early-2"), mail.ID, resentAt)
	}); err != nil {
		t.Fatal(err)
	}
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.MarkExpiryRecorded(ctx, late.ID, lifecycleClock.Add(ttl+time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if got := expiredBy(resentAt.Add(ttl - time.Microsecond)); len(got) != 0 {
		t.Errorf("before the new link expires: %q", got)
	}
	if got := expiredBy(resentAt.Add(ttl)); !slices.Equal(got, []string{"early@example.com"}) {
		t.Errorf("when the new link expires: %q", got)
	}
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkExpiryRecorded(ctx, cancelled.ID, lifecycleClock) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkExpiryRecorded on a cancelled row = %v, want ErrNotFound", err)
	}
}

func TestEventsAreNewestFirstByDatabaseAndPaged(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	// 30 events a minute apart, recorded out of order, and one at the same time as the
	// newest: the later insert comes first.
	for _, i := range []int{3, 1, 2, 0} {
		ls.event(ls.db, store.EventInvited, ls.owner.ID, fmt.Sprintf("u%02d@example.com", i), lifecycleClock.Add(time.Duration(i)*time.Minute))
	}
	for i := 4; i < 30; i++ {
		ls.event(ls.db, store.EventInvited, ls.owner.ID, fmt.Sprintf("u%02d@example.com", i), lifecycleClock.Add(time.Duration(i)*time.Minute))
	}
	ls.event(ls.db, store.EventExpired, 0, "tie@example.com", lifecycleClock.Add(29*time.Minute))
	ls.event(ls.other, store.EventInvited, ls.owner.ID, "elsewhere@example.com", lifecycleClock.Add(time.Hour))

	first, err := ls.st.Events(ctx, ls.db.ID, 25, 0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := ls.st.Events(ctx, ls.db.ID, 25, 25)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, e := range append(first, second...) {
		targets = append(targets, e.Target)
	}
	want := []string{"tie@example.com"}
	for i := 29; i >= 0; i-- {
		want = append(want, fmt.Sprintf("u%02d@example.com", i))
	}
	if len(first) != 25 || !slices.Equal(targets, want) {
		t.Fatalf("pages of %d and %d events:\n got %q\nwant %q", len(first), len(second), targets, want)
	}

	tie, invited := first[0], first[1]
	if tie.Type != store.EventExpired || tie.ActorID != 0 || tie.ActorName != "" || !tie.At.Equal(lifecycleClock.Add(29*time.Minute)) {
		t.Errorf("an expiry reads %+v; want no actor, at its time", tie)
	}
	if invited.Type != store.EventInvited || invited.ActorID != ls.owner.ID || invited.ActorName != "owner" || invited.DatabaseID != ls.db.ID {
		t.Errorf("an invitation reads %+v; want its actor's name", invited)
	}
	past, err := ls.st.Events(ctx, ls.db.ID, 25, 50)
	if err != nil || len(past) != 0 {
		t.Errorf("past the last page: %v, %v", past, err)
	}
}

func TestEventsRefuseUnknownTypesAndDatabases(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	for name, e := range map[string]store.Event{
		"unknown type":     {DatabaseID: ls.db.ID, Type: "renamed", Target: "x@example.com", At: lifecycleClock},
		"unknown database": {DatabaseID: "db_nope", Type: store.EventInvited, Target: "x@example.com", At: lifecycleClock},
	} {
		if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.InsertEvent(ctx, e) }); err == nil {
			t.Errorf("%s: the event was stored", name)
		}
	}
}

func TestInvitationsCountOverARollingWindow(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	ls.event(ls.db, store.EventInvited, ls.owner.ID, "a@example.com", lifecycleClock)
	ls.event(ls.db, store.EventResent, ls.owner.ID, "a@example.com", lifecycleClock.Add(time.Hour))
	ls.event(ls.db, store.EventInvited, ls.owner.ID, "b@example.com", lifecycleClock.Add(2*time.Hour))
	// Neither other kinds of event nor other databases count.
	for _, typ := range []string{store.EventAccepted, store.EventExpired, store.EventRevoked, store.EventLeft} {
		ls.event(ls.db, typ, ls.owner.ID, "a@example.com", lifecycleClock.Add(time.Hour))
	}
	ls.event(ls.other, store.EventInvited, ls.owner.ID, "c@example.com", lifecycleClock.Add(time.Hour))

	for _, c := range []struct {
		since time.Time
		want  int
	}{
		{lifecycleClock.Add(-time.Microsecond), 3},
		// An event exactly at the window's start is out of it.
		{lifecycleClock, 2},
		{lifecycleClock.Add(90 * time.Minute), 1},
		{lifecycleClock.Add(2 * time.Hour), 0},
	} {
		n, err := ls.st.CountInvitationsSince(ctx, ls.db.ID, c.since)
		if err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("since %v: %d invitations, want %d", c.since, n, c.want)
		}
	}
}

func TestDeliveryFollowsTheInvitationEmail(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	m := ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock)
	delivery := func() store.Delivery {
		t.Helper()
		row, err := ls.st.LiveCollaborator(ctx, ls.db.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return row.Delivery
	}

	if d := delivery(); d.State() != "queued" || d.LastError != "" {
		t.Errorf("fresh invitation: %+v (%s), want queued", d, d.State())
	}
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.MarkEmailFailed(ctx, m.EmailID, "dial tcp 127.0.0.1:25: connection refused", lifecycleClock.Add(2*time.Second))
	}); err != nil {
		t.Fatal(err)
	}
	if d := delivery(); d.State() != "failing" || d.LastError != "dial tcp 127.0.0.1:25: connection refused" || d.Attempts != 1 {
		t.Errorf("after a failed attempt: %+v (%s), want failing with the error", d, d.State())
	}
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, m.EmailID, lifecycleClock.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if d := delivery(); d.State() != "sent" || d.LastError != "" || !d.SentAt.Equal(lifecycleClock.Add(time.Minute)) {
		t.Errorf("after delivery: %+v (%s), want sent", d, d.State())
	}

	// A resend follows the new e-mail, not the old one.
	next := ls.email(m.Email)
	if err := ls.st.Tx(ctx, func(tx store.WriteTx) error {
		return tx.ReplaceInvitationToken(ctx, m.ID, lifecycleHash("pia-2"), next.ID, lifecycleClock.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if d := delivery(); d.State() != "queued" {
		t.Errorf("after a resend: %+v (%s), want queued", d, d.State())
	}
	if row, _ := ls.st.LiveCollaborator(ctx, ls.db.ID, m.ID); !bytes.Equal(row.TokenHash, lifecycleHash("pia-2")) {
		t.Error("the row does not hold the new link")
	}
}
