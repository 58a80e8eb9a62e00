package service_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"dbcollab/internal/teststore"
	"dbcollab/service"
	"dbcollab/service/servicetest"
)

func TestSessionIsARowWhoseIDIsStoredHashed(t *testing.T) {
	svc, _, dsn, _ := newService(t)
	u := signup(t, svc, "olivia")
	token, err := svc.StartSession(t.Context(), u.ID, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	in, err := svc.SessionUser(t.Context(), token)
	if err != nil || in.User.ID != u.ID {
		t.Fatalf("SessionUser = %+v, %v; want olivia's session", in, err)
	}
	if in.Session.Device != "Firefox on Linux" || in.Session.ClientAddr != "203.0.113.7" {
		t.Errorf("device %q at %q, want Firefox on Linux at 203.0.113.7", in.Session.Device, in.Session.ClientAddr)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "s_"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if !bytes.Equal(in.Session.TokenHash, sum[:]) {
		t.Errorf("stored %x, want the SHA-256 of the cookie's ID", in.Session.TokenHash)
	}
	expectNowhereStored(t, dsn, token)
}

// expectNowhereStored checks that secret is in no column of any table of the store at
// dsn, as text or bytes.
func expectNowhereStored(t *testing.T, dsn, secret string) {
	t.Helper()
	db := teststore.SQL(t, dsn)
	names := teststore.Tables(t, db)
	for _, name := range names {
		rows, err := db.QueryContext(t.Context(), `SELECT * FROM `+name)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			rows.Scan(ptrs...)
			for i, v := range values {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				}
				if strings.Contains(s, secret) {
					t.Errorf("%s.%s holds the secret", name, cols[i])
				}
			}
		}
		rows.Close()
	}
}

func TestEndedSessionsSignNobodyIn(t *testing.T) {
	svc, _, _, _ := newService(t)
	u := signup(t, svc, "olivia")
	ctx := t.Context()
	start := func() string {
		token, err := svc.StartSession(ctx, u.ID, "", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	expectEnded := func(what, token string) {
		t.Helper()
		if _, err := svc.SessionUser(ctx, token); !errors.Is(err, service.ErrSessionEnded) {
			t.Errorf("%s: SessionUser = %v, want ErrSessionEnded", what, err)
		}
	}
	loggedOut := start()
	if err := svc.EndSession(ctx, loggedOut); err != nil {
		t.Fatal(err)
	}
	expectEnded("logged out", loggedOut)

	kept, other := start(), start()
	in, _ := svc.SessionUser(ctx, kept)
	if n, err := svc.EndOtherSessions(ctx, u.ID, in.Session.ID); err != nil || n != 1 {
		t.Fatalf("EndOtherSessions = %d, %v; want 1", n, err)
	}
	expectEnded("logged out from elsewhere", other)
	if _, err := svc.SessionUser(ctx, kept); err != nil {
		t.Errorf("the session kept: %v", err)
	}
	stranger := signup(t, svc, "sam")
	if err := svc.EndSessionByID(ctx, stranger.ID, in.Session.ID); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("someone else's session: %v, want ErrNotFound", err)
	}
	for _, made := range []string{"", "s_", "s_" + strings.Repeat("A", 43), strings.TrimPrefix(kept, "s_")} {
		expectEnded("made up "+made, made)
	}
}

func TestSessionExpiresAfterTheTTLIdleAndIsSeenAtMostEveryFewMinutes(t *testing.T) {
	svc, st, _, _ := newService(t)
	clock := servicetest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	svc.Now = clock.Now
	u := signup(t, svc, "olivia")
	ctx := t.Context()
	token, err := svc.StartSession(ctx, u.ID, "", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	lastSeen := func() time.Time {
		list, err := st.SessionsForUser(ctx, u.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("sessions %v, %v", list, err)
		}
		return list[0].LastSeenAt
	}
	started := clock.Now()
	clock.Advance(4 * time.Minute)
	if in, err := svc.SessionUser(ctx, token); err != nil || in.Touched || !lastSeen().Equal(started) {
		t.Fatalf("4 minutes on: touched %v, last seen %v, %v; want no write", in.Touched, lastSeen(), err)
	}
	seen := clock.Advance(time.Minute)
	if in, err := svc.SessionUser(ctx, token); err != nil || !in.Touched || !lastSeen().Equal(seen) {
		t.Fatalf("5 minutes on: touched %v, last seen %v, %v; want %v", in.Touched, lastSeen(), err, seen)
	}
	clock.Advance(service.DefaultSessionTTL - time.Second)
	if _, err := svc.SessionUser(ctx, token); err != nil {
		t.Fatalf("a second short of 30 days idle: %v", err)
	}
	clock.Advance(service.DefaultSessionTTL)
	if _, err := svc.SessionUser(ctx, token); !errors.Is(err, service.ErrSessionEnded) {
		t.Fatalf("30 days idle: %v, want ErrSessionEnded", err)
	}
	svc.SessionTTL = time.Hour
	fresh, _ := svc.StartSession(ctx, u.ID, "", "192.0.2.1")
	clock.Advance(time.Hour)
	if _, err := svc.SessionUser(ctx, fresh); !errors.Is(err, service.ErrSessionEnded) {
		t.Fatalf("an hour idle with a TTL of 1h: %v, want ErrSessionEnded", err)
	}
}

func TestDeviceLabel(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                    "Firefox on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0": "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/604.1": "Safari on iPhone",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36":                  "Chrome on Android",
		"curl/8.5.0": "curl",
		"":           service.UnknownDevice,
		"<script>":   service.UnknownDevice,
	} {
		if got := service.DeviceLabel(ua); got != want {
			t.Errorf("DeviceLabel(%q) = %q, want %q", ua, got, want)
		}
	}
}

// FuzzDeviceLabel: whatever the User-Agent, the label is made only of the names the
// lists hold, never of the header's own text.
func FuzzDeviceLabel(f *testing.F) {
	f.Add("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	f.Add("Firefox/ on <b>Linux</b>\x00\r\n")
	allowed := []string{"Edge", "Opera", "Firefox", "Chrome", "Chromium", "Safari", "curl", "Go HTTP client", "Browser",
		"Android", "iPhone", "iPad", "Windows", "macOS", "ChromeOS", "Linux", "Unknown device", " on "}
	f.Fuzz(func(t *testing.T, ua string) {
		label := service.DeviceLabel(ua)
		rest := label
		for _, a := range allowed {
			rest = strings.ReplaceAll(rest, a, "")
		}
		if label == "" || len(label) > 40 || strings.TrimSpace(rest) != "" {
			t.Fatalf("DeviceLabel(%q) = %q", ua, label)
		}
	})
}

// SessionUserIn signs in as SessionUser does and answers, in Viewed, what Membership
// answers for the database named: the owner's database, a stranger's, and none.
func TestSessionUserInAnswersTheMembershipToo(t *testing.T) {
	svc, _, _, _ := newService(t)
	ctx := t.Context()
	olivia, sam := signup(t, svc, "olivia"), signup(t, svc, "sam")
	db, err := svc.CreateDatabase(ctx, olivia.ID, service.NewDatabaseInput{Name: "orders", Plan: service.Plans[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		id   int64
	}{{"olivia", olivia.ID}, {"sam", sam.ID}} {
		token, err := svc.StartSession(ctx, u.id, "", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{db.Name, db.ID, "nothing"} {
			in, err := svc.SessionUserIn(ctx, token, ref)
			if err != nil || in.User.ID != u.id || in.Viewed == nil || in.Viewed.Ref != ref {
				t.Fatalf("%s, %s: SessionUserIn = %+v, %v", u.name, ref, in, err)
			}
			want, wantErr := svc.Membership(ctx, u.id, ref)
			if !reflect.DeepEqual(in.Viewed.Membership.Database(), want.Database()) || !errors.Is(in.Viewed.Err, wantErr) {
				t.Errorf("%s, %s: Viewed = %+v, want %+v, %v", u.name, ref, in.Viewed, want.Database(), wantErr)
			}
		}
	}
	if _, err := svc.SessionUserIn(ctx, "s_made-up", db.Name); !errors.Is(err, service.ErrSessionEnded) {
		t.Errorf("a made-up session: %v, want ErrSessionEnded", err)
	}
}
