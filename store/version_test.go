package store_test

import (
	"context"
	"testing"
	"time"

	"dbcollab/store"
)

// TestDatabaseVersionMovesWithWhatItsTabShows holds the promise the Collaborators tab's
// cache relies on: every change the tab shows moves its database's version, in the
// transaction of the change; a change elsewhere leaves it, so that other tabs stay cached.
func TestDatabaseVersionMovesWithWhatItsTabShows(t *testing.T) {
	ls := newLifecycleStore(t)
	ctx := context.Background()
	write := func(fn func(tx store.WriteTx) error) {
		t.Helper()
		if err := ls.st.Tx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	version := func(db store.Database) int64 {
		t.Helper()
		d, err := ls.st.DatabaseByID(ctx, db.ID)
		if err != nil {
			t.Fatal(err)
		}
		return d.Version
	}
	var pia, bob store.Collaborator
	changes := []struct {
		name  string
		write func()
		moves bool // this database's version; the other's never
	}{
		{"invitation", func() { pia = ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock) }, true},
		{"invitation e-mail failing", func() {
			write(func(tx store.WriteTx) error { return tx.MarkEmailFailed(ctx, pia.EmailID, "busy", lifecycleClock) })
		}, true},
		{"invitation e-mail sent", func() {
			write(func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, pia.EmailID, lifecycleClock) })
		}, true},
		{"resend", func() {
			mail := ls.email(pia.Email)
			write(func(tx store.WriteTx) error {
				return tx.ReplaceInvitationToken(ctx, pia.ID, lifecycleHash("pia-2"), mail.ID, lifecycleClock)
			})
		}, true},
		{"expiry recorded", func() {
			write(func(tx store.WriteTx) error { return tx.MarkExpiryRecorded(ctx, pia.ID, lifecycleClock) })
		}, true},
		{"event", func() { ls.event(ls.db, store.EventExpired, 0, pia.Email, lifecycleClock) }, true},
		{"acceptance", func() {
			bob = ls.invite(ls.db, ls.bob.Email, "bob", lifecycleClock)
			write(func(tx store.WriteTx) error { return tx.AcceptInvitation(ctx, bob.ID, ls.bob.ID, lifecycleClock) })
		}, true},
		{"revocation", func() {
			write(func(tx store.WriteTx) error {
				return tx.EndCollaboration(ctx, bob.ID, store.StatusRevoked, lifecycleClock)
			})
		}, true},
		{"API token made and used", func() {
			tok := store.APIToken{UserID: ls.owner.ID, Name: "cli", TokenHash: lifecycleHash("api"), CreatedAt: lifecycleClock}
			write(func(tx store.WriteTx) error { return tx.InsertAPIToken(ctx, &tok) })
			write(func(tx store.WriteTx) error { return tx.TouchAPIToken(ctx, tok.ID, lifecycleClock.Add(time.Hour)) })
		}, false},
		{"account made", func() { ls.user("zoe@example.com", "zoe") }, false},
		{"e-mail that is no invitation sent", func() {
			mail := ls.email("someone@example.com")
			write(func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, mail.ID, lifecycleClock) })
		}, false},
		{"session secret made", func() {
			if _, err := ls.st.SettingOrCreate(ctx, "session", []byte("secret")); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, c := range changes {
		db, other := version(ls.db), version(ls.other)
		c.write()
		if moved := version(ls.db) != db; moved != c.moves {
			t.Errorf("%s: the database's version moved: %v, want %v", c.name, moved, c.moves)
		}
		if version(ls.other) != other {
			t.Errorf("%s: the other database's version moved", c.name)
		}
	}

	// And the other way round: a change on the other database leaves this one's.
	db, other := version(ls.db), version(ls.other)
	ls.invite(ls.other, "pia@example.com", "other-pia", lifecycleClock)
	if version(ls.db) != db || version(ls.other) == other {
		t.Errorf("an invitation to the other database: versions %d→%d here, %d→%d there", db, version(ls.db), other, version(ls.other))
	}
}
