package service

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dbcollab/internal/teststore"

	"golang.org/x/crypto/bcrypt"
)

// throttleWorld is a service whose clock the test moves, with one account,
// ada@example.com, password "ada-password".
type throttleWorld struct {
	svc   *Service
	clock atomic.Int64 // Unix nanoseconds
}

func newThrottleWorld(t *testing.T) *throttleWorld {
	t.Helper()
	st, _ := teststore.Open(t)
	w := &throttleWorld{}
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

func TestLoginThrottleMemoryIsBounded(t *testing.T) {
	var th loginThrottle
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	old := throttled{throttleKey("address", "old"), AddressFreeFailures}
	th.begin(now, old)
	for i := range maxThrottleEntries + 10 {
		th.begin(now.Add(25*time.Hour+time.Duration(i)), throttled{throttleKey("address", fmt.Sprint(i)), AddressFreeFailures})
	}
	if len(th.failures.entries) != maxThrottleEntries {
		t.Fatalf("%d entries, want at most %d", len(th.failures.entries), maxThrottleEntries)
	}
	if _, kept := th.failures.entries[old.key]; kept {
		t.Fatal("a forgotten entry was kept while the throttle was full")
	}
	if _, kept := th.failures.entries[throttleKey("address", "0")]; kept {
		t.Fatal("the oldest entry was kept while the throttle was full")
	}
}

// fullThrottle returns a throttle holding maxThrottleEntries failures, each made a
// microsecond after the previous one from start, and the time of the last.
func fullThrottle(start time.Time) (*loginThrottle, time.Time) {
	th := &loginThrottle{}
	at := start
	for i := range maxThrottleEntries {
		at = start.Add(time.Duration(i) * time.Microsecond)
		th.begin(at, throttled{throttleKey("address", fmt.Sprint(i)), AddressFreeFailures})
	}
	return th, at
}

// Eviction never scans: with 100 000 entries, all forgotten, one more failure drops
// at most expiredPerAdd of them (the oldest), not all, and the next ones continue from
// there, so that expired entries still go faster than new ones come.
func TestLoginThrottleEvictsABoundedNumberOfEntriesPerCall(t *testing.T) {
	start := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	th, last := fullThrottle(start)
	later := last.Add(forgetFailuresAfter + time.Hour)
	for i := range 3 {
		before := len(th.failures.entries)
		th.begin(later, throttled{throttleKey("address", fmt.Sprint("new", i)), AddressFreeFailures})
		if dropped := before + 1 - len(th.failures.entries); dropped != expiredPerAdd {
			t.Fatalf("one failure into a full throttle dropped %d entries, want %d", dropped, expiredPerAdd)
		}
		for j := range expiredPerAdd {
			if _, kept := th.failures.entries[throttleKey("address", fmt.Sprint(i*expiredPerAdd+j))]; kept {
				t.Fatalf("entry %d, among the oldest, was kept", i*expiredPerAdd+j)
			}
		}
	}
	if _, kept := th.failures.entries[throttleKey("address", fmt.Sprint(3*expiredPerAdd))]; !kept {
		t.Fatal("an entry past the bounded eviction was dropped")
	}
}

// BenchmarkLoginThrottleFull measures one failure recorded into a full throttle, the
// oldest entry going out each time (the cost under the lock):
//
//	go test ./service -run '^$' -bench LoginThrottleFull
func BenchmarkLoginThrottleFull(b *testing.B) {
	start := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	th, at := fullThrottle(start)
	for i := 0; b.Loop(); i++ {
		at = at.Add(time.Microsecond)
		th.begin(at, throttled{throttleKey("address", fmt.Sprint("bench", i)), AddressFreeFailures})
	}
}

// A known address lives in its own map: a flood of failures from elsewhere, enough to
// fill the failure counts twice over, does not push the owner's CLI address out.
func TestLoginKnownAddressesAreNotEvictedByFailures(t *testing.T) {
	w := newThrottleWorld(t)
	owner := LoginAttempt{Email: "ada@example.com", Password: "ada-password", ClientAddr: "203.0.113.7", Cookieless: true}
	if wait, err := w.logIn(t, owner); wait != 0 || err != nil {
		t.Fatalf("first log-in: wait %v, error %v", wait, err)
	}
	w.advance(25 * time.Hour)
	for i := range 2 * maxThrottleEntries {
		w.svc.logins.begin(w.svc.now(), throttled{throttleKey("address", fmt.Sprint("flood", i)), AddressFreeFailures})
	}
	for i := range 30 {
		w.logIn(t, LoginAttempt{Email: "ada@example.com", Password: "guess", ClientAddr: address(i)})
	}
	if wait, err := w.logIn(t, owner); wait != 0 || err != nil {
		t.Fatalf("the owner's usual address after the flood: wait %v, error %v; want in at once", wait, err)
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
