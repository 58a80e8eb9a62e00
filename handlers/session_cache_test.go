package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
)

func testCookieStore() *sessions.CookieStore {
	return NewSessionStore([]byte(strings.Repeat("h", 32)), []byte(strings.Repeat("b", 32)), false)
}

// sessionCookie is the cookie cookies makes of values.
func sessionCookie(t testing.TB, cookies *sessions.CookieStore, values map[any]any) *http.Cookie {
	t.Helper()
	sess := sessions.NewSession(cookies, sessionName)
	sess.Values = values
	sess.Options = cookies.Options
	rec := httptest.NewRecorder()
	if err := cookies.Save(httptest.NewRequest(http.MethodGet, "/", nil), rec, sess); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

// load is the session of a new request carrying cookie.
func load(t *testing.T, sc *sessionCache, cookie *http.Cookie) *sessions.Session {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	sess, _ := sc.Get(req, sessionName)
	return sess
}

func TestSessionCacheAnswersWhatTheCookieSays(t *testing.T) {
	sc := newSessionCache(testCookieStore())
	cookie := sessionCookie(t, sc.cookies, map[any]any{sessionID: "s_42", sessionReturnTo: "/account"})
	for i := range 2 {
		sess := load(t, sc, cookie)
		if sess.IsNew || sess.Values[sessionID] != "s_42" || sess.Values[sessionReturnTo] != "/account" {
			t.Fatalf("request %d: IsNew %v, values %v", i+1, sess.IsNew, sess.Values)
		}
		// A handler changing its session changes nothing for the next request.
		sess.Values[sessionID] = "s_7"
		delete(sess.Values, sessionReturnTo)
	}
	if _, cached := sc.entries[cookie.Value]; !cached {
		t.Error("the decoded cookie is not remembered")
	}
	if sess := load(t, sc, nil); !sess.IsNew || len(sess.Values) != 0 {
		t.Errorf("no cookie: IsNew %v, values %v; want a new, empty session", sess.IsNew, sess.Values)
	}
}

func TestSessionCacheKeepsOnlyWhatDecodes(t *testing.T) {
	sc := newSessionCache(testCookieStore())
	good := sessionCookie(t, sc.cookies, map[any]any{sessionID: "s_42"})
	tampered := &http.Cookie{Name: sessionName, Value: good.Value[:len(good.Value)-4] + "AAA="}
	otherKeys := NewSessionStore([]byte(strings.Repeat("x", 32)), []byte(strings.Repeat("y", 32)), false)
	forged := sessionCookie(t, otherKeys, map[any]any{sessionID: "s_1"})
	for name, cookie := range map[string]*http.Cookie{"tampered": tampered, "signed with other keys": forged} {
		for i := range 2 {
			if sess := load(t, sc, cookie); !sess.IsNew || len(sess.Values) != 0 {
				t.Errorf("%s cookie, request %d: IsNew %v, values %v; want a new, empty session", name, i+1, sess.IsNew, sess.Values)
			}
		}
	}
	if len(sc.entries) != 0 {
		t.Errorf("%d cookies remembered that do not decode", len(sc.entries))
	}
}

func TestSessionCacheForgetsExpiredCookies(t *testing.T) {
	sc := newSessionCache(testCookieStore())
	cookie := sessionCookie(t, sc.cookies, map[any]any{sessionID: "s_42"})
	load(t, sc, cookie)
	entry := sc.entries[cookie.Value]
	maxAge := time.Duration(sc.cookies.Options.MaxAge) * time.Second
	if until := time.Until(entry.expires); until > maxAge || until < maxAge-time.Minute {
		t.Fatalf("the entry expires in %s, want the cookie's age limit, %s", until, maxAge)
	}
	// An expired entry is not used: the cookie is decoded again, and here (its entry
	// swapped for one with other values) that shows.
	sc.entries[cookie.Value] = cachedSession{values: map[any]any{sessionID: "s_7"}, expires: time.Now().Add(-time.Second)}
	if sess := load(t, sc, cookie); sess.Values[sessionID] != "s_42" {
		t.Errorf("an expired entry answered: user %v", sess.Values[sessionID])
	}
}

func TestSessionCacheSkipsFlashes(t *testing.T) {
	sc := newSessionCache(testCookieStore())
	cookie := sessionCookie(t, sc.cookies, map[any]any{sessionID: "s_42", "_flash": []any{"Invited"}})
	if sess := load(t, sc, cookie); len(sess.Flashes()) != 1 {
		t.Fatal("the flash message is lost")
	}
	if len(sc.entries) != 0 {
		t.Error("a session holding a flash message, which handlers append to, is remembered")
	}
}

func TestSessionCacheSavesThroughTheCookieStore(t *testing.T) {
	sc := newSessionCache(testCookieStore())
	sess := load(t, sc, sessionCookie(t, sc.cookies, map[any]any{sessionID: "s_42"}))
	sess.Values[sessionReturnTo] = "/"
	rec := httptest.NewRecorder()
	if err := sess.Save(httptest.NewRequest(http.MethodGet, "/", nil), rec); err != nil {
		t.Fatal(err)
	}
	saved := load(t, sc, rec.Result().Cookies()[0])
	if saved.Values[sessionID] != "s_42" || saved.Values[sessionReturnTo] != "/" {
		t.Errorf("the saved cookie holds %v", saved.Values)
	}
}

// BenchmarkSessionDecode reads the signed-in session cookie, as every dashboard request
// does: decoded by the cookie store, and remembered by the session cache.
func BenchmarkSessionDecode(b *testing.B) {
	sc := newSessionCache(testCookieStore())
	cookie := sessionCookie(b, sc.cookies, map[any]any{sessionID: "s_42"})
	request := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(cookie)
		return req
	}
	for name, store := range map[string]sessions.Store{"cookie store": sc.cookies, "session cache": sc} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if sess, err := store.New(request(), sessionName); err != nil || sess.IsNew {
					b.Fatalf("the cookie did not decode: %v", err)
				}
			}
		})
	}
}

// BenchmarkAuthenticatedRequest serves the signed-in home page, whose session row is
// read on every request, with the session cache and without it (emptied before each
// request, so that the cookie is decoded every time): what the cache is worth now that
// each request reads the session row anyway.
//
//	go test ./handlers -run '^$' -bench AuthenticatedRequest -count 5
func BenchmarkAuthenticatedRequest(b *testing.B) {
	ctx := context.Background()
	st, _ := teststore.Open(b)
	svc := &service.Service{Store: st, BaseURL: "http://dbcollab.test", PasswordCost: bcrypt.MinCost}
	srv := &Server{Service: svc, Sessions: testCookieStore(), Log: slog.New(slog.DiscardHandler)}
	routes := srv.Routes()
	u, err := svc.Signup(ctx, service.SignupInput{Email: "owner@example.com", Username: "owner", Password: "owner-password"})
	if err != nil {
		b.Fatal(err)
	}
	token, err := svc.StartSession(ctx, u.ID, "", "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	cookie := sessionCookie(b, srv.Sessions, map[any]any{sessionID: token, sessionCSRF: "token"})
	for _, cached := range []bool{true, false} {
		b.Run(map[bool]string{true: "session cache", false: "no cache"}[cached], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !cached && srv.sessionCache != nil {
					srv.sessionCache.mu.Lock()
					clear(srv.sessionCache.entries)
					srv.sessionCache.mu.Unlock()
				}
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.AddCookie(cookie)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				rec := httptest.NewRecorder()
				routes.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET /: %d", rec.Code)
				}
			}
		})
	}
}
