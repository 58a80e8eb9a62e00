package handlers

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"
)

// sessionCache is the session store with a memory of what cookies decoded to: the
// cookie a browser sends with every request is verified, decrypted and deserialized
// once (HMAC, AES and gob: about 30 µs and 200 allocations) instead of on each request.
//
// It answers exactly what decoding would. An entry is keyed by the whole cookie, which
// was verified when it was decoded, and holds only what that cookie says (the session's
// ID, where to go after logging in): a cookie decodes to the same values each time it is
// sent, until it expires, and an entry expires with its cookie. Saving a session makes a
// new cookie, hence a new entry. Whether the session is still open is not in the cookie:
// loadUser reads its row on every request, so a logged-out cookie, cached or not, fails
// on its very next request; and the rules check membership on every call.
type sessionCache struct {
	cookies *sessions.CookieStore
	mu      sync.RWMutex
	entries map[string]cachedSession
}

type cachedSession struct {
	values  map[any]any
	expires time.Time // zero: never
}

// maxCachedSessions bounds the memory: past it, the cache starts again empty.
const maxCachedSessions = 1024

func newSessionCache(cookies *sessions.CookieStore) *sessionCache {
	return &sessionCache{cookies: cookies, entries: map[string]cachedSession{}}
}

// Get is sessions.Store's: the session of the request, registered for its lifetime.
func (sc *sessionCache) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(sc, name)
}

// New returns the session the request's cookie holds, from memory when that cookie was
// decoded before, or a new session when there is no valid cookie. (Get registers it
// with sc as its store, so that it is saved through Save.)
func (sc *sessionCache) New(r *http.Request, name string) (*sessions.Session, error) {
	cookie, err := r.Cookie(name)
	if err != nil {
		return sc.fresh(name), nil
	}
	sc.mu.RLock()
	entry, ok := sc.entries[cookie.Value]
	sc.mu.RUnlock()
	if ok && (entry.expires.IsZero() || time.Now().Before(entry.expires)) {
		sess := sc.fresh(name)
		sess.IsNew = false
		for k, v := range entry.values {
			sess.Values[k] = v
		}
		return sess, nil
	}
	sess, err := sc.cookies.New(r, name)
	if err == nil && !sess.IsNew {
		sc.remember(cookie.Value, sess.Values)
	}
	return sess, err
}

// Save is the cookie store's.
func (sc *sessionCache) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	return sc.cookies.Save(r, w, sess)
}

// fresh is an empty session saved through sc, with the store's options.
func (sc *sessionCache) fresh(name string) *sessions.Session {
	sess := sessions.NewSession(sc, name)
	opts := *sc.cookies.Options
	sess.Options = &opts
	sess.IsNew = true
	return sess
}

// remember keeps a copy of values for the cookie value, if they are only plain values
// (flash messages, kept in a slice a handler may append to, are not), until the cookie
// expires.
func (sc *sessionCache) remember(cookie string, values map[any]any) {
	kept := make(map[any]any, len(values))
	for k, v := range values {
		switch v.(type) {
		case int64, string, bool:
			kept[k] = v
		default:
			return
		}
	}
	expires, ok := sc.expiry(cookie)
	if !ok {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.entries) >= maxCachedSessions {
		clear(sc.entries)
	}
	sc.entries[cookie] = cachedSession{values: kept, expires: expires}
}

// expiry is when the cookie stops decoding: its signed timestamp (securecookie writes
// base64("timestamp|value|mac")) plus the store's maximum age, which NewSessionStore
// gives its codecs too.
func (sc *sessionCache) expiry(cookie string) (time.Time, bool) {
	maxAge := sc.cookies.Options.MaxAge
	if maxAge <= 0 {
		return time.Time{}, true
	}
	raw, err := base64.URLEncoding.DecodeString(cookie)
	if err != nil {
		return time.Time{}, false
	}
	stamp, _, found := strings.Cut(string(raw), "|")
	issued, err := strconv.ParseInt(stamp, 10, 64)
	if !found || err != nil {
		return time.Time{}, false
	}
	return time.Unix(issued, 0).Add(time.Duration(maxAge) * time.Second), true
}
