package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"strings"
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
	// maxThrottleEntries bounds the failure counts kept in the store (about 100 bytes
	// each with their index); the periodic purge drops forgotten ones, then the oldest.
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
	knownClient := a.KnownAccount != "" && a.KnownAccount == loginAccount(a.Email)
	if !knownClient && a.Cookieless {
		var err error
		if knownClient, err = s.knownClient(ctx, knownAddress); err != nil {
			return store.User{}, err
		}
	}
	if knownClient {
		// Strangers' failures do not apply to a client the owner used; its own do, so
		// that a stolen device cookie or a shared known address still guesses slowly.
		keys = []throttled{{throttleKey("known client", loginAccount(a.Email)+"\x00"+client), AccountFreeFailures}}
	}
	// The attempt counts as a failure until it is known not to be one, so that many
	// attempts at once cannot all pass before the first failure is recorded.
	if wait, err := s.beginAttempt(ctx, keys...); err != nil {
		return store.User{}, err
	} else if wait > 0 {
		return store.User{}, &ThrottledError{Wait: wait}
	}
	user, err := s.Authenticate(ctx, a.Email, a.Password)
	switch {
	case err == nil:
		err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
			if err := tx.UndoThrottleFailures(ctx, throttleIDs(keys)); err != nil {
				return err
			}
			if err := tx.ForgetThrottleFailures(ctx, account.key[:]); err != nil {
				return err
			}
			if a.Cookieless {
				return tx.RememberKnownClient(ctx, knownAddress[:], s.now())
			}
			return nil
		})
		if err != nil {
			return store.User{}, err
		}
	case !errors.Is(err, ErrWrongCredentials):
		if undoErr := s.undoAttempt(ctx, keys...); undoErr != nil {
			return store.User{}, undoErr
		}
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
// address is kept in the store.
type throttleID [sha256.Size]byte

func throttleKey(kind, value string) throttleID {
	return sha256.Sum256([]byte(kind + "\x00" + value))
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

func throttleIDs(keys []throttled) [][]byte {
	ids := make([][]byte, len(keys))
	for i := range keys {
		ids[i] = keys[i].key[:]
	}
	return ids
}

// The failure counts are kept in the store, shared by every instance: a failure counted
// on one delays the next attempt on any other. Each attempt writes one statement.

// beginAttempt returns the longest wait any of keys must still observe, recording
// nothing; when none must wait, it records the attempt as a failure of each, in the same
// transaction, so that attempts made at once on any instance are counted one by one.
func (s *Service) beginAttempt(ctx context.Context, keys ...throttled) (time.Duration, error) {
	now := s.now()
	var wait time.Duration
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		counts, err := tx.ThrottleCounts(ctx, throttleIDs(keys), now.Add(-forgetFailuresAfter))
		if err != nil {
			return err
		}
		wait = 0
		for i, c := range counts {
			if c.Count > 0 {
				wait = max(wait, c.At.Add(loginWait(c.Count, keys[i].free)).Sub(now))
			}
		}
		if wait > 0 {
			return nil
		}
		return tx.CountThrottleFailures(ctx, throttleIDs(keys), now, now.Add(-forgetFailuresAfter))
	})
	return wait, err
}

// undoAttempt takes back the failure beginAttempt recorded for an attempt that did not fail.
func (s *Service) undoAttempt(ctx context.Context, keys ...throttled) error {
	return s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.UndoThrottleFailures(ctx, throttleIDs(keys)) })
}

// forgetFailures clears key's failures: the account's owner got in.
func (s *Service) forgetFailures(ctx context.Context, key throttleID) error {
	return s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.ForgetThrottleFailures(ctx, key[:]) })
}

// knownClient reports whether key was remembered within knownAddressFor.
func (s *Service) knownClient(ctx context.Context, key throttleID) (bool, error) {
	return s.Store.KnownClient(ctx, key[:], s.now().Add(-knownAddressFor))
}

// PurgeThrottles deletes the failure counts and known clients that are forgotten (and,
// past the bounds, the oldest), and says how many went. The server calls it periodically.
func (s *Service) PurgeThrottles(ctx context.Context) (n int64, err error) {
	now := s.now()
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		n, err = tx.PurgeThrottles(ctx, now.Add(-forgetFailuresAfter), now.Add(-knownAddressFor), maxThrottleEntries, maxKnownAddresses)
		return err
	})
	return n, err
}
