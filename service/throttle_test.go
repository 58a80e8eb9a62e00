package service

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/store"
)

// throttleWorld is a service whose clock the test moves, with one account,
// ada@example.com, password "ada-password".
type throttleWorld struct {
	svc   *Service
	path  string
	clock atomic.Int64 // Unix nanoseconds
}

func newThrottleWorld(t *testing.T) *throttleWorld {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dbcollab.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &throttleWorld{path: path}
	w.clock.Store(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC).UnixNano())
	w.svc = &Service{Store: st, PasswordCost: bcrypt.MinCost, Now: func() time.Time { return time.Unix(0, w.clock.Load()) }}
	if _, err := w.svc.Signup(t.Context(), SignupInput{Email: "ada@example.com", Username: "ada", Password: "ada-password"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *throttleWorld) advance(d time.Duration) { w.clock.Add(int64(d)) }

// logIn tries once and returns the wait it was refused with (0 when it was not), and
// the error otherwise.
func (w *throttleWorld) logIn(t *testing.T, a LoginAttempt) (time.Duration, error) {
	t.Helper()
	_, err := w.svc.LogIn(t.Context(), a)
	var throttled *ThrottledError
	if errors.As(err, &throttled) {
		if e, ok := AsError(err); !ok || e.Kind != TooMany {
			t.Fatalf("a throttled attempt's error is not a TooMany rule error: %#v", err)
		}
		return throttled.Wait, nil
	}
	return 0, err
}

// address is the i-th client address, so that tests of the account throttle are not
// slowed down by the address throttle.
func address(i int) string { return fmt.Sprintf("192.0.2.%d", i%250) }

func TestLoginWaitsDoubleFromTheFifthFailureUpToFifteenMinutes(t *testing.T) {
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		t.Run(email, func(t *testing.T) {
			w := newThrottleWorld(t)
			// waits[i] is the wait imposed by failure i+1: guess again at once, and when
			// refused, wait exactly that long.
			var waits []time.Duration
			for attempt := 0; len(waits) <= 20; attempt++ {
				wait, err := w.logIn(t, LoginAttempt{Email: email, Password: "wrong-password", ClientAddr: address(attempt)})
				switch {
				case wait > 0 && len(waits) > 0 && waits[len(waits)-1] == 0:
					waits[len(waits)-1] = wait
					w.advance(wait)
				case wait == 0 && err == ErrWrongCredentials:
					waits = append(waits, 0)
				default:
					t.Fatalf("attempt %d after %d failures: wait %v, error %v", attempt, len(waits), wait, err)
				}
			}
			want := []time.Duration{0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900}
			for i := range want {
				if waits[i] != want[i]*time.Second {
					t.Fatalf("waits after each failure: %v, want %v seconds", waits[:20], want)
				}
			}
		})
	}
}

func TestLoginThrottleMessageSaysHowLongToWait(t *testing.T) {
	for wait, message := range map[time.Duration]string{
		time.Second:                      "Too many failed log-in attempts; try again in 1 second",
		1500 * time.Millisecond:          "Too many failed log-in attempts; try again in 2 seconds",
		15 * time.Minute:                 "Too many failed log-in attempts; try again in 900 seconds",
		15*time.Minute - time.Nanosecond: "Too many failed log-in attempts; try again in 900 seconds",
	} {
		if got := (&ThrottledError{Wait: wait}).Error(); got != message {
			t.Errorf("wait %v: %q, want %q", wait, got, message)
		}
	}
}

func TestLoginSuccessClearsTheAccountsFailures(t *testing.T) {
	w := newThrottleWorld(t)
	for i := range 6 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong-password", ClientAddr: address(i)})
		w.advance(time.Hour)
	}
	if _, err := w.logIn(t, LoginAttempt{Email: "ADA@example.com ", Password: "ada-password", ClientAddr: address(7)}); err != nil {
		t.Fatalf("the right password after the wait: %v", err)
	}
	// Four failures are free again.
	for i := range 4 {
		if wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong-password", ClientAddr: address(i)}); wait != 0 || err != ErrWrongCredentials {
			t.Fatalf("failure %d after a success: wait %v, error %v", i+1, wait, err)
		}
	}
}

func TestLoginRefusedAttemptsNeitherCountNorCheckThePassword(t *testing.T) {
	w := newThrottleWorld(t)
	for i := range 10 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong-password", ClientAddr: address(i)})
		w.advance(time.Hour)
	}
	w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong-password", ClientAddr: address(10)})
	first, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: address(11)})
	if first != 64*time.Second {
		t.Fatalf("after 11 failures: wait %v, want 64s", first)
	}
	// Even the right password is refused while the account waits, and trying again
	// and again does not lengthen the wait.
	for i := range 60 {
		w.advance(time.Second)
		wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: address(i)})
		if err != nil || wait != first-time.Duration(i+1)*time.Second {
			t.Fatalf("refused attempt %d: wait %v, error %v; want %v", i, wait, err, first-time.Duration(i+1)*time.Second)
		}
	}
	w.advance(first)
	if _, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: address(12)}); err != nil {
		t.Fatalf("the owner after the wait: %v", err)
	}
}

func TestLoginThrottlesAnAddressFromItsTwentiethFailure(t *testing.T) {
	w := newThrottleWorld(t)
	// One failure on each of twenty accounts: the account throttle never starts.
	for i := range 20 {
		if wait, err := w.logIn(t, LoginAttempt{Email: fmt.Sprintf("user%d@example.com", i), Password: "wrong-password", ClientAddr: "198.51.100.7"}); wait != 0 || err != ErrWrongCredentials {
			t.Fatalf("failure %d from one address: wait %v, error %v", i+1, wait, err)
		}
	}
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "198.51.100.7"}); wait != time.Second {
		t.Fatalf("after 20 failures from one address: wait %v, want 1s", wait)
	}
	if _, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "198.51.100.8"}); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// Someone failing on purpose keeps the account waiting, but a browser that logged in
// to it before is not kept out: the real owner is never locked out.
func TestLoginFromAKnownDeviceIgnoresTheAccountsWaits(t *testing.T) {
	w := newThrottleWorld(t)
	for i := range 30 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
		w.advance(15 * time.Minute)
	}
	w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(31)})
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.5"}); wait != MaxLoginWait {
		t.Fatalf("an unknown browser waits %v, want %v", wait, MaxLoginWait)
	}
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.5", KnownAccount: "bob@example.com"}); wait != MaxLoginWait {
		t.Fatalf("a browser known for another account waits %v, want %v", wait, MaxLoginWait)
	}
	if wait, err := w.logIn(t, LoginAttempt{Email: "Ada@Example.com", Password: "ada-password", ClientAddr: "203.0.113.5", KnownAccount: "ada@example.com"}); wait != 0 || err != nil {
		t.Fatalf("the owner's browser: wait %v, error %v; want in at once", wait, err)
	}
}

// The command line keeps no cookie: an address the owner logged in from before is not
// kept out by someone failing on purpose elsewhere, a new address is; browsers, which
// have the device cookie, get no such pass.
func TestLoginFromAnAddressThatLoggedInBeforeIgnoresTheAccountsWaits(t *testing.T) {
	w := newThrottleWorld(t)
	if wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.7", Cookieless: true}); wait != 0 || err != nil {
		t.Fatalf("first log-in: wait %v, error %v", wait, err)
	}
	for i := range 30 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
		w.advance(15 * time.Minute)
	}
	w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(31)})
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.8", Cookieless: true}); wait != MaxLoginWait {
		t.Fatalf("a new address waits %v, want %v", wait, MaxLoginWait)
	}
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.7"}); wait != MaxLoginWait {
		t.Fatalf("a browser without the device cookie at the CLI's address waits %v, want %v", wait, MaxLoginWait)
	}
	if wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.7", Cookieless: true}); wait != 0 || err != nil {
		t.Fatalf("the owner's usual address: wait %v, error %v; want in at once", wait, err)
	}
	w.advance(31 * 24 * time.Hour)
	for i := range 30 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
	}
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.7", Cookieless: true}); wait == 0 {
		t.Fatal("an address last used 31 days ago still skips the account's waits")
	}
}

func TestLoginFailuresAreForgottenAfterADay(t *testing.T) {
	w := newThrottleWorld(t)
	for i := range 10 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong", ClientAddr: address(i)})
		w.advance(15 * time.Minute)
	}
	w.advance(24 * time.Hour)
	for i := range 4 {
		if wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong", ClientAddr: address(i)}); wait != 0 || err != ErrWrongCredentials {
			t.Fatalf("failure %d a day later: wait %v, error %v", i+1, wait, err)
		}
	}
}

// Many attempts at once cannot all slip through before the first failure is recorded.
func TestLoginConcurrentGuessesCannotOvertakeTheThrottle(t *testing.T) {
	w := newThrottleWorld(t)
	const n = 50
	var wrong, throttled atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
			switch {
			case wait > 0:
				throttled.Add(1)
			case err == ErrWrongCredentials:
				wrong.Add(1)
			default:
				t.Errorf("guess %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wrong.Load() != AccountFreeFailures+1 || throttled.Load() != n-AccountFreeFailures-1 {
		t.Fatalf("%d guesses at once: %d checked, %d throttled; want %d checked", n, wrong.Load(), throttled.Load(), AccountFreeFailures+1)
	}
}

// floodFailures counts one failure for each of n new address keys from at on, a
// microsecond apart per 500, in one transaction, as n attackers' failures would.
func floodFailures(t *testing.T, svc *Service, n int, at time.Time) {
	t.Helper()
	err := svc.Store.Tx(t.Context(), func(tx store.WriteTx) error {
		for i := 0; i < n; i += 500 {
			var keys [][]byte
			for j := i; j < min(i+500, n); j++ {
				key := throttleKey("address", fmt.Sprint("flood", j))
				keys = append(keys, key[:])
			}
			at := at.Add(time.Duration(i/500) * time.Microsecond)
			if err := tx.CountThrottleFailures(t.Context(), keys, at, at.Add(-forgetFailuresAfter)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countOf is the failure count the store keeps for key, forgotten or not.
func countOf(t *testing.T, svc *Service, key throttleID) int {
	t.Helper()
	counts, err := svc.Store.ThrottleCounts(t.Context(), [][]byte{key[:]}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return counts[0].Count
}

// The failure counts are bounded: the purge drops the forgotten ones, then, past
// maxThrottleEntries, the oldest.
func TestLoginThrottlePurgeBoundsTheFailureCounts(t *testing.T) {
	w := newThrottleWorld(t)
	old := throttleKey("address", address(1))
	w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong", ClientAddr: address(1)})
	w.advance(25 * time.Hour)
	w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "wrong", ClientAddr: address(2)})
	if _, err := w.svc.PurgeThrottles(t.Context()); err != nil {
		t.Fatal(err)
	}
	if countOf(t, w.svc, old) != 0 {
		t.Error("a failure forgotten a day ago was kept by the purge")
	}
	if countOf(t, w.svc, throttleKey("address", address(2))) != 1 {
		t.Error("a recent failure was purged")
	}

	floodFailures(t, w.svc, maxThrottleEntries+10, w.svc.now().Add(time.Second))
	if _, err := w.svc.PurgeThrottles(t.Context()); err != nil {
		t.Fatal(err)
	}
	if countOf(t, w.svc, throttleKey("address", address(2))) != 0 {
		t.Error("the oldest failure was kept while the throttle was over its bound")
	}
	if countOf(t, w.svc, throttleKey("address", fmt.Sprint("flood", maxThrottleEntries+9))) != 1 {
		t.Error("the newest failure was purged")
	}
}

// BenchmarkLoginThrottleFailure measures one failed attempt's throttle work, its read and
// its one upsert in the store, without the password check:
//
//	go test ./service -run '^$' -bench LoginThrottleFailure
func BenchmarkLoginThrottleFailure(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "dbcollab.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := &Service{Store: st}
	for i := 0; b.Loop(); i++ {
		if _, err := svc.beginAttempt(b.Context(), throttled{throttleKey("address", fmt.Sprint("bench", i)), AddressFreeFailures}); err != nil {
			b.Fatal(err)
		}
	}
}

// Known addresses are kept apart from the failures: a flood of failures from elsewhere,
// beyond the bound, does not push the owner's CLI address out.
func TestLoginKnownAddressesAreNotEvictedByFailures(t *testing.T) {
	w := newThrottleWorld(t)
	owner := LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.7", Cookieless: true}
	if wait, err := w.logIn(t, owner); wait != 0 || err != nil {
		t.Fatalf("first log-in: wait %v, error %v", wait, err)
	}
	w.advance(25 * time.Hour)
	floodFailures(t, w.svc, maxThrottleEntries+10, w.svc.now())
	if _, err := w.svc.PurgeThrottles(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
	}
	if wait, err := w.logIn(t, owner); wait != 0 || err != nil {
		t.Fatalf("the owner's usual address after the flood: wait %v, error %v; want in at once", wait, err)
	}
}

// Two instances on one store share the throttle: failures counted on one delay the
// next attempt on the other, and many attempts at once across both are counted one by one.
func TestLoginFailuresOnOneInstanceDelayTheNextTryOnAnother(t *testing.T) {
	w := newThrottleWorld(t)
	st, err := store.Open(w.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	other := &Service{Store: st, PasswordCost: bcrypt.MinCost, Now: w.svc.Now}
	for i := range AccountFreeFailures + 1 {
		if wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)}); wait != 0 || err != ErrWrongCredentials {
			t.Fatalf("failure %d on A: wait %v, error %v", i+1, wait, err)
		}
	}
	_, err = other.LogIn(t.Context(), LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: address(9)})
	var throttled *ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait != FirstLoginWait {
		t.Fatalf("B after %d failures on A: %v, want a wait of %v", AccountFreeFailures+1, err, FirstLoginWait)
	}

	w.advance(25 * time.Hour)
	const n = 40
	var checked atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		svc := []*Service{w.svc, other}[i%2]
		wg.Go(func() {
			_, err := svc.LogIn(t.Context(), LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
			if err == ErrWrongCredentials {
				checked.Add(1)
			} else if !errors.As(err, new(*ThrottledError)) {
				t.Errorf("guess %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if checked.Load() != AccountFreeFailures+1 {
		t.Fatalf("%d guesses at once on two instances: %d checked, want %d", n, checked.Load(), AccountFreeFailures+1)
	}
}

// Behind one proxy or NAT, strangers' failures throttle the shared address; the owner's
// browser (device cookie) and CLI (an address it logged in from) skip that wait as well
// as the account's, but their own failures still count.
func TestLoginFromAKnownClientSkipsTheAddressesWaits(t *testing.T) {
	w := newThrottleWorld(t)
	const shared = "198.51.100.7"
	if wait, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: shared, Cookieless: true}); wait != 0 || err != nil {
		t.Fatalf("the CLI's first log-in: wait %v, error %v", wait, err)
	}
	for i := range 21 {
		w.logIn(t, LoginAttempt{Email: fmt.Sprintf("random%d@example.com", i), Password: "guess", ClientAddr: shared})
	}
	for i := range 5 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
	}
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: shared}); wait == 0 {
		t.Fatal("an unknown browser behind the shared address is not throttled")
	}
	browser := LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: shared, KnownAccount: "ada@example.com"}
	if wait, err := w.logIn(t, browser); wait != 0 || err != nil {
		t.Fatalf("the owner's browser behind the shared address: wait %v, error %v; want in at once", wait, err)
	}
	cli := LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: shared, Cookieless: true}
	if wait, err := w.logIn(t, cli); wait != 0 || err != nil {
		t.Fatalf("the owner's CLI behind the shared address: wait %v, error %v; want in at once", wait, err)
	}
	// A stolen device cookie guesses no faster than anyone.
	browser.Password = "guess"
	for i := range AccountFreeFailures + 1 {
		if wait, err := w.logIn(t, browser); wait != 0 || err != ErrWrongCredentials {
			t.Fatalf("known browser's failure %d: wait %v, error %v", i+1, wait, err)
		}
	}
	if wait, _ := w.logIn(t, browser); wait != FirstLoginWait {
		t.Fatalf("after %d failures the known browser waits %v, want %v", AccountFreeFailures+1, wait, FirstLoginWait)
	}
}

// An IPv6 client holds a whole /64: addresses within it count as one.
func TestLoginThrottlesIPv6AddressesByTheirSlash64(t *testing.T) {
	w := newThrottleWorld(t)
	for i := range 20 {
		if wait, err := w.logIn(t, LoginAttempt{Email: fmt.Sprintf("user%d@example.com", i), Password: "guess", ClientAddr: fmt.Sprintf("2001:db8:1:2::%x", i+1)}); wait != 0 || err != ErrWrongCredentials {
			t.Fatalf("failure %d: wait %v, error %v", i+1, wait, err)
		}
	}
	if wait, _ := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "2001:db8:1:2:ffff:ffff:ffff:fffe"}); wait != time.Second {
		t.Fatalf("another address in the same /64 waits %v, want 1s", wait)
	}
	if _, err := w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "2001:db8:1:3::1"}); err != nil {
		t.Fatalf("the next /64: %v", err)
	}
}

func TestClientGroup(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"::ffff:192.0.2.7":     "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"":                     "",
		"not an address":       "not an address",
	} {
		if got := clientGroup(addr); got != want {
			t.Errorf("clientGroup(%q) = %q, want %q", addr, got, want)
		}
	}
}
