package service_test

import (
	"errors"
	"strings"
	"testing"

	"dbcollab/service"
)

func TestSignupAndAuthenticate(t *testing.T) {
	svc, st, _, _ := newService(t)
	alice, err := svc.Signup(t.Context(), service.SignupInput{Email: "  Alice@Example.COM ", Username: "alice", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if alice.Email != "alice@example.com" || alice.ID == 0 || alice.PasswordHash == "correct horse" {
		t.Errorf("Signup = %+v, want the address normalised and the password hashed", alice)
	}

	t.Run("the right password, the address in any case", func(t *testing.T) {
		u, err := svc.Authenticate(t.Context(), "ALICE@example.com", "correct horse")
		if err != nil || u.ID != alice.ID {
			t.Errorf("Authenticate = %d, %v; want alice", u.ID, err)
		}
	})

	t.Run("wrong password and unknown address give the same error", func(t *testing.T) {
		for _, c := range []struct{ email, password string }{
			{"alice@example.com", "wrong horse"},
			{"alice@example.com", ""},
			{"nobody@example.com", "correct horse"},
			{"not an address", "correct horse"},
		} {
			_, err := svc.Authenticate(t.Context(), c.email, c.password)
			if !errors.Is(err, service.ErrWrongCredentials) || err.Error() != "Wrong e-mail or password" {
				t.Errorf("Authenticate(%q, %q) = %v, want ErrWrongCredentials", c.email, c.password, err)
			}
		}
	})

	t.Run("an address or username already taken", func(t *testing.T) {
		_, err := svc.Signup(t.Context(), service.SignupInput{Email: "ALICE@example.com", Username: "ALICE", Password: "another one"})
		got := service.ByField(err)
		if got["email"] != "An account already uses this e-mail address; log in instead" || got["username"] != "This username is taken" {
			t.Errorf("errors = %q, want both taken", got)
		}
	})

	t.Run("every invalid field is reported", func(t *testing.T) {
		_, err := svc.Signup(t.Context(), service.SignupInput{Email: "bob", Username: "b", Password: "short"})
		got := service.ByField(err)
		if got["email"] == "" || got["username"] == "" || got["password"] != "A password has at least 8 characters" {
			t.Errorf("errors = %q, want email, username and password", got)
		}
		_, err = svc.Signup(t.Context(), service.SignupInput{Email: "bob@example.com", Username: "bob", Password: strings.Repeat("p", 73)})
		if got := service.ByField(err); got["password"] != "A password has at most 72 bytes" {
			t.Errorf("a 73-byte password: errors = %q", got)
		}
	})

	if n, err := st.CountUsers(t.Context()); err != nil || n != 1 {
		t.Errorf("accounts after the refusals = %d, %v; want alice only", n, err)
	}
}

func TestDemoSeedIgnoresTheInvitationLimit(t *testing.T) {
	svc, _, _, _ := newService(t)
	svc.InviteLimit = 1
	if seeded, err := svc.SeedDemo(t.Context()); err != nil || !seeded {
		t.Fatalf("SeedDemo with an invitation limit of 1 = %v, %v; want seeded", seeded, err)
	}
	owner, err := svc.Authenticate(t.Context(), "user1@example.com", service.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	// The seeding is one transaction: it holds all of the demo or none of it.
	_, list, err := svc.Collaborators(t.Context(), owner.ID, service.DemoDatabase)
	if err != nil || len(list) != 3 {
		t.Fatalf("demo collaborators = %v, %v; want owner, user2 and user3", list, err)
	}
}

func TestDemoSeedIsIdempotent(t *testing.T) {
	svc, st, _, _ := newService(t)
	seeded, err := svc.SeedDemo(t.Context())
	if err != nil || !seeded {
		t.Fatalf("SeedDemo on an empty store = %v, %v; want seeded", seeded, err)
	}
	users := map[string]int64{}
	for _, name := range []string{"user1", "user2", "user4"} {
		u, err := svc.Authenticate(t.Context(), name+"@example.com", service.DemoPassword)
		if err != nil || u.Username != name {
			t.Fatalf("%s logs in with the demo password: %+v, %v", name, u, err)
		}
		users[name] = u.ID
	}
	if _, err := svc.Authenticate(t.Context(), "user3@example.com", service.DemoPassword); err == nil {
		t.Error("user3 has an account; the demo wants only a pending invitation")
	}

	db, list, err := svc.Collaborators(t.Context(), users["user1"], service.DemoDatabase)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"user1@example.com owner", "user2@example.com accepted", "user3@example.com pending"}
	if got := table(list); strings.Join(got, ",") != strings.Join(want, ",") || list[1].Username != "user2" {
		t.Errorf("demo collaborators = %q, want %q", got, want)
	}
	if dbs, _ := svc.Databases(t.Context(), users["user2"]); len(dbs) != 1 || dbs[0].ID != db.ID {
		t.Errorf("user2's databases = %v, want %s", dbs, service.DemoDatabase)
	}
	if dbs, _ := svc.Databases(t.Context(), users["user4"]); len(dbs) != 0 {
		t.Errorf("user4's databases = %v, want none", dbs)
	}

	if sent := recipients(drainOutbox(t, st)); strings.Join(sent, ",") != "user3@example.com" {
		t.Errorf("demo e-mails went to %q, want user3's invitation only (user2 has accepted)", sent)
	}

	again, err := svc.SeedDemo(t.Context())
	if err != nil || again {
		t.Errorf("SeedDemo a second time = %v, %v; want nothing done", again, err)
	}
	if n, _ := st.CountUsers(t.Context()); n != 3 {
		t.Errorf("accounts after seeding twice = %d, want 3", n)
	}
	if _, list, _ := svc.Collaborators(t.Context(), users["user1"], service.DemoDatabase); len(list) != len(want) {
		t.Errorf("collaborators after seeding twice = %q, want %q", table(list), want)
	}
	if sent := drainOutbox(t, st); len(sent) != 0 {
		t.Errorf("seeding twice queued e-mail to %q", recipients(sent))
	}

	t.Run("a store with any account is left as it is", func(t *testing.T) {
		svc, st, _, _ := newService(t)
		someone := signup(t, svc, "someone")
		if seeded, err := svc.SeedDemo(t.Context()); err != nil || seeded {
			t.Errorf("SeedDemo = %v, %v; want nothing done", seeded, err)
		}
		if n, _ := st.CountUsers(t.Context()); n != 1 {
			t.Errorf("accounts = %d, want only %s", n, someone.Username)
		}
	})
}
