package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"dbcollab/store"
)

// Log-in throttling slows password guessing down, per account and per client address,
// without ever locking anyone out for good: each wait is bounded, and a browser (or, for
// the command line, which keeps no cookie, a client address) that has logged in to the
// account before skips the account's and the address's waits, with a count of its own
// instead, so that an attacker failing on purpose, even from behind the same proxy or
// NAT, cannot keep the real owner out.
const (
	// AccountFreeFailures consecutive failures on one account cost nothing; from the
	// next one on, each failure imposes a wait, doubling from FirstLoginWait.
	AccountFreeFailures = 4
	// AddressFreeFailures is higher: one address may be a whole office behind NAT.
	AddressFreeFailures = 19
	FirstLoginWait      = time.Second
	MaxLoginWait        = 15 * time.Minute
	// forgetFailuresAfter: failures are forgotten this long after the last one.
	forgetFailuresAfter = 24 * time.Hour
	// maxThrottleEntries bounds the memory the failure counts take (about 200 bytes
	// each); when full, forgotten entries go first, then the oldest.
	maxThrottleEntries = 100_000
	// knownAddressFor is how long a client address that logged in to an account stays
	// exempt from that account's waits.
	knownAddressFor = 30 * 24 * time.Hour
	// maxKnownAddresses bounds the known addresses apart from the failures, so that
	// failing on purpose cannot push the owner's address out.
	maxKnownAddresses = 100_000
)

// LoginAttempt is one try at logging in.
type LoginAttempt struct {
	Email, Password string
	// ClientAddr is the address the request came from: the direct peer, unless a proxy
	// in front is trusted to say otherwise.
	ClientAddr string
	// KnownAccount is the e-mail of the account this browser logged in to before, as a
	// cookie only the server can make says; that account's waits do not apply to it.
	KnownAccount string
	// Cookieless is true for clients that keep no cookie (the command line): for them, a
	// client address that logged in to the account before vouches instead.
	Cookieless bool
}

// ThrottledError refuses a log-in attempt while its account or address must wait.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the rule's refusal, so that AsError finds it like any other.
func (e *ThrottledError) Unwrap() error {
	unit := "seconds"
	if e.Seconds() == 1 {
		unit = "second"
	}
	return &Error{Kind: TooMany, Message: fmt.Sprintf("Too many failed log-in attempts; try again in %d %s", e.Seconds(), unit)}
}

// Seconds is the wait in whole seconds, rounded up.
func (e *ThrottledError) Seconds() int { return int((e.Wait + time.Second - 1) / time.Second) }

// LogIn is Authenticate behind the throttle. Unknown addresses are throttled exactly
// like known ones, so that the wait tells nothing either.
func (s *Service) LogIn(ctx context.Context, a LoginAttempt) (store.User, error) {
	client := clientGroup(a.ClientAddr)
	account := throttled{throttleKey("account", loginAccount(a.Email)), AccountFreeFailures}
	address := throttled{throttleKey("address", client), AddressFreeFailures}
	keys := []throttled{address, account}
	knownAddress := throttleKey("known", loginAccount(a.Email)+"\x00"+client)
	if (a.KnownAccount != "" && a.KnownAccount == loginAccount(a.Email)) || (a.Cookieless && s.logins.known(s.now(), knownAddress)) {
		// Strangers' failures do not apply to a client the owner used; its own do, so
		// that a stolen device cookie or a shared known address still guesses slowly.
		keys = []throttled{{throttleKey("known client", loginAccount(a.Email)+"\x00"+client), AccountFreeFailures}}
	}
	// The attempt counts as a failure until it is known not to be one, so that many
	// attempts at once cannot all pass before the first failure is recorded.
	if wait := s.logins.begin(s.now(), keys...); wait > 0 {
		return store.User{}, &ThrottledError{Wait: wait}
	}
	user, err := s.Authenticate(ctx, a.Email, a.Password)
	switch {
	case err == nil:
		s.logins.undo(keys...)
		s.logins.forget(account.key)
		if a.Cookieless {
			s.logins.remember(s.now(), knownAddress)
		}
	case !errors.Is(err, ErrWrongCredentials):
		s.logins.undo(keys...)
	}
	return user, err
}

// clientGroup is what the address throttle counts a client address as: IPv6 clients by
// their /64, which one host or household usually holds whole, so that rotating within
// it gains nothing.
func clientGroup(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// loginAccount is the account an attempt is about: the address as stored, or as typed
// when it is not one.
func loginAccount(email string) string {
	if normalized, err := NormalizeEmail(email); err == nil {
		return normalized
	}
	return strings.ToLower(strings.TrimSpace(email))
}

// throttleID is the hash of what is throttled: every key takes the same room, and no
// address is kept in memory.
type throttleID [sha256.Size]byte

func throttleKey(kind, value string) throttleID {
	return sha256.Sum256([]byte(kind + "\x00" + value))
}

// loginThrottle is the failure count of each account and address, and the addresses
// known to each account, in memory: a restart forgets them, which costs an attacker's
// waits at most once per restart.
type loginThrottle struct {
	mu             sync.Mutex
	failures       recency[loginFailures]
	knownAddresses recency[struct{}]
}

type loginFailures struct {
	count int
	// until is when the next attempt may be made.
	until time.Time
}

// loginWait is the wait after count consecutive failures.
func loginWait(count, free int) time.Duration {
	if count <= free {
		return 0
	}
	wait := FirstLoginWait
	for range count - free - 1 {
		if wait *= 2; wait >= MaxLoginWait {
			return MaxLoginWait
		}
	}
	return wait
}

// throttled is a key and the failures it may have for free.
type throttled struct {
	key  throttleID
	free int
}

// begin returns the longest wait any of keys must still observe, recording nothing;
// when none must wait, it records the attempt as a failure of each.
func (t *loginThrottle) begin(now time.Time, keys ...throttled) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if f := t.failures.get(k.key, now, forgetFailuresAfter); f != nil {
			wait = max(wait, f.v.until.Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	for _, k := range keys {
		f := t.failures.get(k.key, now, forgetFailuresAfter)
		if f == nil {
			f = t.failures.add(k.key, now, forgetFailuresAfter, maxThrottleEntries)
		}
		t.failures.touch(f, now)
		f.v.count++
		f.v.until = now.Add(loginWait(f.v.count, k.free))
	}
	return 0
}

// undo takes back the failure begin recorded for an attempt that did not fail.
func (t *loginThrottle) undo(keys ...throttled) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if f := t.failures.entries[k.key]; f != nil && f.v.count > 0 {
			f.v.count--
			f.v.until = f.at.Add(loginWait(f.v.count, k.free))
		}
	}
}

// remember notes that an account was logged in to from a client address: until
// knownAddressFor has passed, that address skips the account's waits.
func (t *loginThrottle) remember(now time.Time, key throttleID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.knownAddresses.get(key, now, knownAddressFor)
	if e == nil {
		e = t.knownAddresses.add(key, now, knownAddressFor, maxKnownAddresses)
	}
	t.knownAddresses.touch(e, now)
}

// known reports whether key was remembered within knownAddressFor.
func (t *loginThrottle) known(now time.Time, key throttleID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.knownAddresses.get(key, now, knownAddressFor) != nil
}

// forget clears key's failures: the account's owner got in.
func (t *loginThrottle) forget(key throttleID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures.remove(key)
}
