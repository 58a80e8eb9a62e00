package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"dbcollab/internal/pgtest"
	"dbcollab/store"
)

// copySource is a SQLite store with a row in every table: accounts (one deleted), two
// databases and a deleted one, owner, accepted, pending, expired, revoked and
// replaced-link rows, their events and e-mails (sent, failing, refused), a job, a
// session, API tokens, a password reset, an e-mail change, an access database and its
// roles, throttle counts, and the session secret.
func copySource(t *testing.T) (path string, ls *lifecycleStore) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "dbcollab.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ls = &lifecycleStore{t: t, st: st}
	ls.owner = ls.user("owner@example.com", "owner")
	ls.bob = ls.user("bob@example.com", "bob")
	gone := ls.user("gone@example.com", "gone")
	ls.db = ls.database("db_1", "orders")
	ls.other = ls.database("db_2", "billing")
	ls.insert(store.Collaborator{DatabaseID: ls.db.ID, Email: ls.owner.Email, UserID: ls.owner.ID,
		Status: store.StatusOwner, InvitedAt: lifecycleClock, AcceptedAt: lifecycleClock})
	tx := func(fn func(tx store.WriteTx) error) {
		t.Helper()
		if err := st.Tx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	bob := ls.invite(ls.db, ls.bob.Email, "bob", lifecycleClock)
	tx(func(tx store.WriteTx) error {
		return tx.AcceptInvitation(ctx, bob.ID, ls.bob.ID, lifecycleClock.Add(time.Minute))
	})
	ls.event(ls.db, store.EventInvited, ls.owner.ID, ls.bob.Email, lifecycleClock)
	ls.event(ls.db, store.EventAccepted, ls.bob.ID, ls.bob.Email, lifecycleClock.Add(time.Minute))
	pending := ls.invite(ls.db, "pia@example.com", "pia", lifecycleClock.Add(time.Hour))
	resent := ls.email(pending.Email)
	tx(func(tx store.WriteTx) error {
		return tx.ReplaceInvitationToken(ctx, pending.ID, lifecycleHash("pia again"), resent.ID, lifecycleClock.Add(2*time.Hour))
	})
	expired := ls.invite(ls.other, "old@example.com", "old", lifecycleClock.Add(-30*24*time.Hour))
	tx(func(tx store.WriteTx) error { return tx.MarkExpiryRecorded(ctx, expired.ID, lifecycleClock) })
	ls.event(ls.other, store.EventExpired, 0, expired.Email, lifecycleClock)
	revoked := ls.invite(ls.db, "rita@example.com", "rita", lifecycleClock)
	tx(func(tx store.WriteTx) error {
		return tx.EndCollaboration(ctx, revoked.ID, store.StatusRevoked, lifecycleClock)
	})
	tx(func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, bob.EmailID, lifecycleClock) })
	tx(func(tx store.WriteTx) error {
		return tx.MarkEmailFailed(ctx, pending.EmailID, "connection refused", lifecycleClock)
	})
	tx(func(tx store.WriteTx) error {
		return tx.MarkEmailRefused(ctx, revoked.EmailID, "550 no such user", lifecycleClock)
	})
	tx(func(tx store.WriteTx) error { return tx.EnqueueJob(ctx, "grant_access", "db_1", lifecycleClock) })

	tx(func(tx store.WriteTx) error {
		s := store.Session{UserID: ls.owner.ID, TokenHash: lifecycleHash("session"), Device: "Firefox on Linux",
			ClientAddr: "192.0.2.1", CreatedAt: lifecycleClock, LastSeenAt: lifecycleClock}
		return tx.InsertSession(ctx, &s)
	})
	tx(func(tx store.WriteTx) error {
		a := store.APIToken{UserID: ls.bob.ID, Name: "laptop", TokenHash: lifecycleHash("api"), CreatedAt: lifecycleClock,
			ExpiresAt: lifecycleClock.Add(24 * time.Hour)}
		b := store.APIToken{UserID: ls.owner.ID, Name: "ci", TokenHash: lifecycleHash("api 2"), CreatedAt: lifecycleClock}
		if err := tx.InsertAPIToken(ctx, &a); err != nil {
			return err
		}
		return tx.InsertAPIToken(ctx, &b)
	})
	tx(func(tx store.WriteTx) error {
		return tx.PutPasswordReset(ctx, store.PasswordReset{UserID: ls.bob.ID, TokenHash: lifecycleHash("reset"), CreatedAt: lifecycleClock})
	})
	tx(func(tx store.WriteTx) error {
		return tx.PutEmailChange(ctx, store.EmailChange{UserID: ls.owner.ID, NewEmail: "new@example.com",
			TokenHash: lifecycleHash("change"), CreatedAt: lifecycleClock})
	})
	tx(func(tx store.WriteTx) error {
		if err := tx.InsertAccessDatabase(ctx, store.AccessDatabase{DatabaseID: ls.db.ID, PgName: "orders_db",
			GroupRole: "orders_group", CreatedAt: lifecycleClock}); err != nil {
			return err
		}
		active := store.AccessRole{DatabaseID: ls.db.ID, UserID: ls.bob.ID, RoleName: "orders_bob", State: "active",
			Verifier: "SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy", CreatedAt: lifecycleClock}
		revoking := store.AccessRole{DatabaseID: ls.db.ID, UserID: gone.ID, RoleName: "orders_gone", State: "revoking",
			Verifier: "SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy", CreatedAt: lifecycleClock}
		if err := tx.InsertAccessRole(ctx, &active); err != nil {
			return err
		}
		return tx.InsertAccessRole(ctx, &revoking)
	})
	tx(func(tx store.WriteTx) error { return tx.DeleteUser(ctx, gone, lifecycleClock) })
	scratch := ls.database("db_3", "scratch")
	ls.invite(scratch, "sam@example.com", "sam", lifecycleClock)
	tx(func(tx store.WriteTx) error { return tx.DeleteDatabase(ctx, scratch.ID, lifecycleClock) })
	tx(func(tx store.WriteTx) error {
		return tx.CountThrottleFailures(ctx, [][]byte{lifecycleHash("account"), lifecycleHash("address")}, lifecycleClock, time.Time{})
	})
	tx(func(tx store.WriteTx) error {
		return tx.RememberKnownClient(ctx, lifecycleHash("known"), lifecycleClock)
	})
	if _, err := st.SettingOrCreate(ctx, "session_secret", []byte("the source's secret")); err != nil {
		t.Fatal(err)
	}
	return path, ls
}

// sameReads reads the same things through the store API from both stores.
func sameReads(t *testing.T, ls *lifecycleStore, from, to *store.Store) {
	t.Helper()
	ctx := context.Background()
	reads := map[string]func(s *store.Store) (any, error){
		"owner": func(s *store.Store) (any, error) { return s.UserByEmail(ctx, ls.owner.Email) },
		"bob":   func(s *store.Store) (any, error) { return s.UserByEmail(ctx, ls.bob.Email) },
		"users": func(s *store.Store) (any, error) { return s.CountUsers(ctx) },
		"databases of bob": func(s *store.Store) (any, error) {
			return s.DatabasesForMember(ctx, ls.bob.ID)
		},
		"orders":                  func(s *store.Store) (any, error) { return s.DatabaseByID(ctx, ls.db.ID) },
		"billing":                 func(s *store.Store) (any, error) { return s.DatabaseByID(ctx, ls.other.ID) },
		"collaborators of orders": func(s *store.Store) (any, error) { return s.Collaborators(ctx, ls.db.ID) },
		"collaborators of billing": func(s *store.Store) (any, error) {
			return s.Collaborators(ctx, ls.other.ID)
		},
		"replaced link":  func(s *store.Store) (any, error) { return s.CollaboratorByReplacedToken(ctx, lifecycleHash("pia")) },
		"events":         func(s *store.Store) (any, error) { return s.Events(ctx, ls.db.ID, 100, 0) },
		"expiry events":  func(s *store.Store) (any, error) { return s.Events(ctx, ls.other.ID, 100, 0) },
		"expiries":       func(s *store.Store) (any, error) { return s.UnrecordedExpiries(ctx, lifecycleClock.Add(time.Hour)) },
		"sessions":       func(s *store.Store) (any, error) { return s.SessionsForUser(ctx, ls.owner.ID) },
		"API tokens":     func(s *store.Store) (any, error) { return s.APITokensForUser(ctx, ls.bob.ID) },
		"API token":      func(s *store.Store) (any, error) { return s.APITokenByHash(ctx, lifecycleHash("api 2")) },
		"password reset": func(s *store.Store) (any, error) { return s.PasswordResetByHash(ctx, lifecycleHash("reset")) },
		"e-mail change":  func(s *store.Store) (any, error) { return s.EmailChangeByHash(ctx, lifecycleHash("change")) },
		"access roles":   func(s *store.Store) (any, error) { return s.AccessRoles(ctx, ls.db.ID) },
		"access dbs":     func(s *store.Store) (any, error) { return s.AccessDatabases(ctx) },
		"next e-mail":    func(s *store.Store) (any, error) { return s.NextDueEmail(ctx) },
		"next job":       func(s *store.Store) (any, error) { return s.NextDueJob(ctx, lifecycleClock.Add(time.Hour)) },
		"throttles": func(s *store.Store) (any, error) {
			return s.ThrottleCounts(ctx, [][]byte{lifecycleHash("account"), lifecycleHash("address")}, lifecycleClock.Add(-time.Hour))
		},
		"known client": func(s *store.Store) (any, error) {
			return s.KnownClient(ctx, lifecycleHash("known"), lifecycleClock.Add(-time.Hour))
		},
		"session secret": func(s *store.Store) (any, error) {
			return s.SettingOrCreate(ctx, "session_secret", []byte("a new secret"))
		},
	}
	for name, read := range reads {
		want, wantErr := read(from)
		got, err := read(to)
		if wantErr != nil || err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nPostgreSQL %+v, %v\nSQLite     %+v, %v", name, got, err, want, wantErr)
		}
	}
}

func TestCopyMovesEveryRowToPostgreSQLAndRefusesASecondCopy(t *testing.T) {
	ctx := context.Background()
	from, ls := copySource(t)
	to := freshPostgresStore(t)

	counts, err := store.Copy(ctx, from, to)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	for _, c := range counts {
		if c.Source != c.Target || c.Source == 0 {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL; want the same, and some", c.Table, c.Source, c.Target)
		}
	}
	pg, err := store.Open(to)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	sameReads(t, ls, ls.st, pg)
	analyzed(t, to)

	// The sequences were moved past the copied IDs.
	u := store.User{Email: "new@example.com", Username: "new", PasswordHash: "x", CreatedAt: lifecycleClock}
	e := store.Email{To: u.Email, Subject: "Welcome", Text: "hi", HTML: "<p>hi</p>", CreatedAt: lifecycleClock}
	if err := pg.Tx(ctx, func(tx store.WriteTx) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		return tx.EnqueueEmail(ctx, &e)
	}); err != nil {
		t.Fatalf("a new account and e-mail on PostgreSQL after the copy: %v", err)
	}
	if u.ID <= 3 || e.ID <= 7 { // 3 account IDs (one retired), 6 e-mails and a job copied
		t.Errorf("new IDs on PostgreSQL: account %d, e-mail %d; want past the copied ones", u.ID, e.ID)
	}

	_, err = store.Copy(ctx, from, to)
	if !errors.Is(err, store.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "users: 3") {
		t.Errorf("a second copy to the same target: %v, want %v naming users: 3", err, store.ErrTargetNotEmpty)
	}
}

func TestCopyRefusesWhatIsNotADbcollabStoreAndANewerOne(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notAStore := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notAStore, []byte("shopping list"), 0o600); err != nil {
		t.Fatal(err)
	}
	otherSQLite := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", otherSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer, _ := copySource(t)
	db, err = sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('999_from_the_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for name, c := range map[string]struct{ from, want string }{
		"a text file":         {notAStore, "is not a dbcollab store"},
		"another SQLite file": {otherSQLite, "is not a dbcollab store"},
		"a missing file":      {filepath.Join(dir, "missing.db"), "no such file"},
		"a newer store":       {newer, "was written by a newer dbcollab (its migration 999_from_the_future.sql is unknown to this one)"},
		"a URL":               {"postgres://localhost/dbcollab", "is not a SQLite file"},
	} {
		// The target is never reached: its address is not even looked at.
		_, err := store.Copy(ctx, c.from, "postgres://nobody@127.0.0.1:1/none")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy created the missing source: %v", err)
	}
}

// freshPostgresStore is the URL of a new, empty database on the test cluster.
func freshPostgresStore(t *testing.T) string {
	t.Helper()
	return pgtest.Database(t)
}

// analyzed fails t unless every table of the PostgreSQL store at dsn has the planner's
// statistics (a table never analyzed counts -1 rows in pg_class).
func analyzed(t *testing.T, dsn string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var never string
	err = db.QueryRow(`SELECT coalesce(string_agg(relname, ', ' ORDER BY relname), '') FROM pg_class
		WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND reltuples < 0`).Scan(&never)
	if err != nil {
		t.Fatal(err)
	}
	if never != "" {
		t.Errorf("tables without statistics after the copy: %s", never)
	}
}
