package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"

	"dbcollab/handlers"
)

// A client that does not follow redirects never sees its flash messages: only the last
// one is kept, so the session cookie never outgrows what a browser stores.
func TestAfterWriteTwentyInvitesNotFollowedAllRedirect(t *testing.T) {
	h := newHarness(t)
	a := h.signedIn(h.owner)
	token := a.token()
	var last string
	for i := range 20 {
		last = "pile-" + itoa(int64(i)) + strings.Repeat("p", 50) + "@" + strings.Repeat("d", 60) + ".example.com"
		a.postWithToken(h.collaboratorsPath(), url.Values{"email": {last}}, token).expectRedirect(h.collaboratorsPath())
	}
	if got := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK).flash(); !strings.HasPrefix(got, last+" has been invited") {
		t.Errorf("the flash after 20 invitations is %q, want the last one's", got)
	}
}

// sessionsUpTo makes sessions longer than n bytes fail to save.
func sessionsUpTo(n int) harnessOption {
	return func(s *handlers.Server) {
		for _, codec := range s.Sessions.Codecs {
			codec.(*securecookie.SecureCookie).MaxLength(n)
		}
	}
}

// The invitation is stored and queued before the flash message is saved: if the session
// cannot be saved, the answer is still the 303 of a done invitation, never a 5xx.
func TestAfterWriteUnsavableSessionStillRedirects(t *testing.T) {
	// A long address makes a long flash message: a session that fits a signed-in user but
	// not that message.
	long := strings.Repeat("l", 64) + "@" + strings.Repeat("d", 60) + ".example.com"
	probe := newHarness(t)
	a := probe.signedIn(probe.owner)
	signedIn := len(a.cookie("dbcollab_session"))
	r := a.postWithToken(probe.collaboratorsPath(), url.Values{"email": {long}}, a.token()).expectRedirect(probe.collaboratorsPath())
	withFlash := 0
	for _, c := range r.cookies {
		if c.Name == "dbcollab_session" {
			withFlash = len(c.Value)
		}
	}
	if withFlash <= signedIn {
		t.Fatalf("session cookie: %d bytes signed in, %d with the flash", signedIn, withFlash)
	}

	h := newHarness(t, sessionsUpTo((signedIn+withFlash)/2))
	a = h.signedIn(h.owner)
	r = a.postWithToken(h.collaboratorsPath(), url.Values{"email": {long}}, a.token())
	r.expectRedirect(h.collaboratorsPath())
	if _, invited := h.row(long); !invited {
		t.Fatal("the invitation was not stored")
	}
	if emails := h.takeEmails(); len(emails) != 1 || emails[0].To != long {
		t.Errorf("queued e-mails: %v, want the invitation to %s", emails, long)
	}
}
