package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"dbcollab/handlers"
	"dbcollab/internal/testkit"
	"dbcollab/links"
	"dbcollab/service/servicetest"
	"dbcollab/store"
)

// lifecycleTTL is the invitations' time to live in these tests; the clock is moved.
const lifecycleTTL = 24 * time.Hour

// newLifecycleHarness is the harness on a clock the test moves, invitations that live
// lifecycleTTL, and an invitation limit (0: none). The seed sent two invitations.
func newLifecycleHarness(t *testing.T, limit int, opts ...harnessOption) (*harness, *servicetest.Clock) {
	t.Helper()
	clock := servicetest.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	configure := func(s *handlers.Server) {
		s.Service.Now, s.Service.InviteTTL, s.Service.InviteLimit = clock.Now, lifecycleTTL, limit
	}
	return newHarness(t, append([]harnessOption{configure}, opts...)...), clock
}

func (h *harness) resendPath(m store.Collaborator) string {
	return h.collaboratorsPath() + "/" + itoa(m.ID) + "/resend"
}

// mustRow is the live row of email.
func (h *harness) mustRow(email string) store.Collaborator {
	h.t.Helper()
	m, ok := h.row(email)
	if !ok {
		h.t.Fatalf("%s has no live row", email)
	}
	return m
}

// menuItems are the texts of the items of the actions menu of email's row.
func menuItems(page *response, email string) []string {
	var items []string
	rowOf(page, email).Find("[data-menu] details ul > li > *").Each(func(_ int, s *goquery.Selection) {
		items = append(items, textOf(s))
	})
	return items
}

// events are the Activity lines of a page, newest first.
func events(page *response) []string {
	var lines []string
	page.doc.Find("[data-testid=activity] [data-testid=event] span").Each(func(_ int, s *goquery.Selection) {
		lines = append(lines, textOf(s))
	})
	return lines
}

func TestExpiredInvitationStaysListedDimmedAsExpired(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	clock.Advance(lifecycleTTL - time.Second)
	page := h.signedIn(h.collaborator).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got := collaboratorRows(page)[2]; got != (tableRow{"pia@example.com", "n/a", "pending", "collaborator", true}) {
		t.Fatalf("a second before its expiry: %+v", got)
	}

	clock.Advance(time.Second)
	page = h.signedIn(h.collaborator).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got := collaboratorRows(page)[2]; got != (tableRow{"pia@example.com", "n/a", "expired", "collaborator", true}) {
		t.Errorf("at its expiry pia's row is %+v; want dimmed, status expired", got)
	}
	if got := menuItems(page, h.invitee.Email); !slices.Equal(got, []string{"Resend invitation", "Revoke access"}) {
		t.Errorf("the expired row's menu has %q", got)
	}

	want := "This invitation has expired. Ask olivia, who invited you and owns " + dbName + ", to resend it."
	for name, a := range map[string]*actor{"anonymous": h.anonymous(), "the invitee": h.signedIn(h.invitee)} {
		link := a.openLink(h.inviteeToken, http.StatusGone)
		if got := link.text("[data-testid=invitation-state]"); got != want {
			t.Errorf("%s: the expired link says %q, want %q", name, got, want)
		}
		if link.button("Accept").Length() != 0 || link.doc.Find("[data-testid=invitation] a[href^='/signup']").Length() != 0 {
			t.Errorf("%s: an expired link offers to accept or sign up", name)
		}
	}
	refused := h.signedIn(h.invitee)
	refused.openLink(h.inviteeToken, http.StatusGone)
	if r := refused.postWithToken("/invitation", nil, refused.token()); r.status != http.StatusConflict || !strings.Contains(r.body, "has expired") {
		t.Errorf("accepting an expired invitation: status %d", r.status)
	}
	if m := h.mustRow(h.invitee.Email); m.Status != store.StatusPending || m.UserID != 0 {
		t.Errorf("after the refusal the row is %+v", m)
	}
}

func TestResendFromTheMenuMailsANewLinkAndTheOldOneSaysReplaced(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	clock.Advance(lifecycleTTL + time.Hour) // expired: a resend revives it
	pia := h.mustRow(h.invitee.Email)
	a := h.signedIn(h.collaborator)

	page := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	// The menu item submits the page's one small form to the row's own URL, so that it
	// works with and without JavaScript.
	item := rowOf(page, h.invitee.Email).Find("[data-menu] details ul > li > *").First()
	formID, _ := item.Attr("form")
	if goquery.NodeName(item) != "button" || textOf(item) != "Resend invitation" {
		t.Fatalf("the menu's first item is <%s> %q", goquery.NodeName(item), textOf(item))
	}
	if action := h.fromTab(item.AttrOr("formaction", "")); action != h.resendPath(pia) || page.doc.Find("form#"+formID+"[method=post]").Length() != 1 {
		t.Errorf("Resend invitation submits #%s to %q", formID, action)
	}
	for _, email := range []string{h.owner.Email, h.collaborator.Email} {
		if slices.Contains(menuItems(page, email), "Resend invitation") {
			t.Errorf("%s's row, not an invitation, offers Resend invitation", email)
		}
	}

	a.submit(h.collaboratorsPath(), h.resendPath(pia), nil).expectRedirect(h.collaboratorsPath())
	page = a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	if got, want := page.flash(), "pia@example.com has been sent a new invitation; the previous link no longer works"; got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if got := collaboratorRows(page)[2].Status; got != "pending" {
		t.Errorf("after the resend the row is %q", got)
	}
	if got := events(page)[0]; got != "carl sent a new invitation to pia@example.com" {
		t.Errorf("newest activity %q", got)
	}
	newToken := h.invitationToken(h.invitee.Email)

	old := h.anonymous().openLink(h.inviteeToken, http.StatusGone)
	if got := old.text("[data-testid=invitation-state]"); got != "This link was replaced: a newer invitation to "+dbName+" was sent (resent) since. Use the link in the most recent e-mail." {
		t.Errorf("the old link says %q", got)
	}
	if old.button("Accept").Length() != 0 {
		t.Error("the old link offers Accept")
	}

	// The new link lives a full TTL from the resend.
	clock.Advance(lifecycleTTL - time.Second)
	invitee := h.signedIn(h.invitee)
	invitee.openLink(newToken, http.StatusOK).expectButton("Accept")
	invitee.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))
	if m := h.mustRow(h.invitee.Email); m.Status != store.StatusAccepted {
		t.Errorf("after accepting through the new link the row is %q", m.Status)
	}
}

func TestResendOfARowThatIsNoInvitationSaysWhy(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	carl := h.mustRow(h.collaborator.Email)
	a := h.signedIn(h.owner)
	a.postWithToken(h.resendPath(carl), nil, a.token()).expectRedirect(h.collaboratorsPath())
	if got := a.get(h.collaboratorsPath()).flash(); got != "Only a pending or expired invitation can be sent again" {
		t.Errorf("flash %q", got)
	}
	if emails := h.takeEmails(); len(emails) != 0 {
		t.Errorf("%d e-mails queued", len(emails))
	}
}

func TestSignupFromAnInvitationLocksTheInvitedAddress(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	h.invite(h.collaborator, "newcomer@example.com")
	token := h.invitationToken("newcomer@example.com")

	a := h.anonymous()
	invitation := a.openLink(token, http.StatusOK)
	signupLink := invitation.doc.Find("[data-testid=invitation] a").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return textOf(s) == "Sign up"
	})
	href, _ := signupLink.Attr("href")
	form := a.get(href).expectStatus(http.StatusOK)
	email := form.expectField("Email", "newcomer@example.com")
	if _, readonly := email.Attr("readonly"); !readonly {
		t.Error("the invited address can be edited")
	}
	if got := form.text("#" + strings.Fields(email.AttrOr("aria-describedby", ""))[0]); got != "The invitation to "+dbName+" was sent to this address." {
		t.Errorf("the locked field is described as %q", got)
	}
	if strings.Contains(form.body, token) {
		t.Error("the sign-up page carries the invitation's token")
	}

	// Whatever the browser sends, the account gets the invited address.
	signup := url.Values{"email": {"someone-else@example.com"}, "username": {"carl"}, "password": {password}, "from": {"invitation"}}
	refused := a.postWithToken("/signup", signup, csrfToken(t, form.doc.Selection)).expectStatus(http.StatusUnprocessableEntity)
	refused.expectField("Email", "newcomer@example.com")
	refused.expectFieldError("Username", "username", "This username is taken")
	if _, readonly := refused.field("Email").Attr("readonly"); !readonly {
		t.Error("after an error the address is no longer locked")
	}
	signup.Set("username", "newcomer")
	a.postWithToken("/signup", signup, csrfToken(t, refused.doc.Selection)).expectRedirect("/invitation")
	if _, err := h.store.UserByEmail(context.Background(), "someone-else@example.com"); err == nil {
		t.Error("an account was made with the typed address")
	}
	user, err := h.store.UserByEmail(context.Background(), "newcomer@example.com")
	if err != nil || user.Username != "newcomer" {
		t.Fatalf("the account with the invited address: %+v, %v", user, err)
	}
	a.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))
	if m := h.mustRow("newcomer@example.com"); m.Status != store.StatusAccepted || m.UserID != user.ID {
		t.Errorf("after signing up and accepting the row is %+v", m)
	}
}

func TestSignupIsOnlyLockedForAnOpenInvitationItCameFrom(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	unlocked := func(what string, a *actor, path string) {
		t.Helper()
		page := a.get(path).expectStatus(http.StatusOK)
		if _, readonly := page.expectField("Email", "").Attr("readonly"); readonly {
			t.Errorf("%s: the Email field is locked", what)
		}
		if page.doc.Find("input[name=from]").Length() != 0 {
			t.Errorf("%s: the form says it comes from an invitation", what)
		}
	}
	unlocked("no invitation", h.anonymous(), "/signup?from=invitation")
	opened := h.anonymous()
	opened.openLink(h.inviteeToken, http.StatusOK)
	unlocked("the plain sign-up page", opened, "/signup")
	clock.Advance(lifecycleTTL)
	unlocked("an expired invitation", opened, "/signup?from=invitation")

	// Without an open invitation, a form claiming one signs up the typed address, which
	// must then be confirmed like any other.
	checkMailbox(t, opened.postWithToken("/signup", url.Values{"email": {"zed@example.com"}, "username": {"zed"}, "password": {password}, "from": {"invitation"}},
		opened.token()), "zed@example.com")
	if u, err := h.store.UserByEmail(context.Background(), "zed@example.com"); err != nil || !u.VerifiedAt.IsZero() {
		t.Errorf("the typed address's account: %+v, %v; want it unconfirmed", u, err)
	}
}

// Someone signed in with another account switches to a new one from the invitation.
func TestWrongAccountSwitchesToASignupForTheInvitedAddress(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	h.invite(h.owner, "newcomer@example.com")
	token := h.invitationToken("newcomer@example.com")
	a := h.signedIn(h.stranger)
	page := a.openLink(token, http.StatusOK)
	if got := page.text("[data-testid=wrong-account]"); got != "This invitation was sent to n…@example.com; you are signed in as s…@example.com." {
		t.Errorf("the page says %q", got)
	}
	if page.button("Accept").Length() != 0 || strings.Contains(page.body, "newcomer@example.com") {
		t.Error("another account is offered Accept, or shown the address in full")
	}
	a.submit("/invitation", "/logout", nil).expectRedirect("/login")
	page = a.get("/invitation").expectStatus(http.StatusOK)
	for label, href := range map[string]string{"Log in": "/login", "Sign up": "/signup?from=invitation"} {
		if got, _ := page.link(label).Filter("[data-testid=invitation] a").Attr("href"); got != href {
			t.Errorf("after switching, %s links to %q, want %q", label, got, href)
		}
	}
	a.get("/signup?from=invitation").expectStatus(http.StatusOK).expectField("Email", "newcomer@example.com")
}

func TestNotificationsOfWebActionsGoToThoseConcerned(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	recipients := func() []string {
		var to []string
		for _, e := range h.takeEmails() {
			to = append(to, e.To)
		}
		return to
	}
	// Carl invites zoe, who signs up from the link and accepts: olivia and carl hear of it.
	h.invite(h.collaborator, "zoe@example.com")
	token := h.invitationToken("zoe@example.com")
	zoe := h.anonymous()
	zoe.openLink(token, http.StatusOK)
	zoe.submit("/signup?from=invitation", "/signup", url.Values{"username": {"zoe"}, "password": {password}, "from": {"invitation"}}).
		expectRedirect("/invitation")
	zoe.submit("/invitation", "/invitation", nil).expectRedirect(links.Database(dbName))
	if got := recipients(); !slices.Equal(got, []string{"olivia@example.com", "carl@example.com"}) {
		t.Errorf("accepting e-mailed %q, want the owner and the inviter", got)
	}

	// Zoe leaves: olivia hears of it, zoe does not.
	row := h.mustRow("zoe@example.com")
	zoe.submit(h.revokePath(row), h.revokePath(row), nil).expectRedirect("/")
	if got := recipients(); !slices.Equal(got, []string{"olivia@example.com"}) {
		t.Errorf("leaving e-mailed %q, want the owner", got)
	}

	// Olivia revokes carl: carl hears of it, olivia does not.
	carl := h.mustRow(h.collaborator.Email)
	h.signedIn(h.owner).submit(h.revokePath(carl), h.revokePath(carl), nil).expectRedirect(h.collaboratorsPath())
	sent := h.takeEmails()
	if len(sent) != 1 || sent[0].To != h.collaborator.Email || !strings.Contains(sent[0].Text, "olivia revoked your access to "+dbName) {
		t.Errorf("revoking e-mailed %+v, want carl, naming olivia and the database", sent)
	}
}

func TestActivityIsUnderTheTableNewestFirst25APage(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	// The seed made 3 events; 27 invitations a minute apart make 30.
	for i := range 27 {
		clock.Advance(time.Minute)
		h.invite(h.owner, fmt.Sprintf("guest%02d@example.com", i))
	}
	a := h.signedIn(h.collaborator)
	first := a.get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	section := first.doc.Find("[data-testid=activity]")
	if got := textOf(section.Find("h3")); got != "Activity" {
		t.Errorf("the section is titled %q", got)
	}
	if section.PrevAllFiltered("table[data-testid=collaborators]").Length() != 1 {
		t.Error("Activity is not under the Collaborators table")
	}
	lines := events(first)
	if len(lines) != 25 || lines[0] != "olivia invited guest26@example.com" || lines[24] != "olivia invited guest02@example.com" {
		t.Fatalf("page 1 has %d events: %q", len(lines), lines)
	}
	if when, _ := section.Find("time").First().Attr("datetime"); when != "2026-11-27T10:27:00Z" {
		t.Errorf("the newest event is dated %q", when)
	}
	if first.link("Newer").Length() != 0 {
		t.Error("page 1 links to newer events")
	}
	older, _ := first.link("Older").Attr("href")
	if older != h.collaboratorsPath()+"?page=2#activity-title" {
		t.Fatalf("Older links to %q", older)
	}

	second := a.get(older).expectStatus(http.StatusOK)
	want := []string{
		"olivia invited guest01@example.com",
		"olivia invited guest00@example.com",
		"olivia invited pia@example.com",
		"carl@example.com accepted the invitation",
		"olivia invited carl@example.com",
	}
	if got := events(second); !slices.Equal(got, want) {
		t.Errorf("page 2:\n got %q\nwant %q", got, want)
	}
	if second.link("Older").Length() != 0 || second.link("Newer").AttrOr("href", "") != h.collaboratorsPath()+"?page=1#activity-title" {
		t.Error("page 2 has no way back to page 1, or a way further")
	}
	if got := events(a.get(h.collaboratorsPath() + "?page=nonsense")); !slices.Equal(got, lines) {
		t.Error("an unreadable page number does not show the first page")
	}
	for _, outsider := range []store.User{h.stranger, h.invitee} {
		h.signedIn(outsider).get(h.collaboratorsPath() + "?page=2").expectStatus(http.StatusNotFound)
	}
}

func TestActivityWordsEveryKindOfEvent(t *testing.T) {
	h, clock := newLifecycleHarness(t, 0)
	owner := h.signedIn(h.owner)
	zoe := h.invite(h.collaborator, "zoe@example.com")
	h.takeEmails()
	owner.submit(h.collaboratorsPath(), h.resendPath(zoe), nil)
	owner.submit(h.revokePath(zoe), h.revokePath(zoe), nil)
	carl := h.signedIn(h.collaborator)
	carlRow := h.mustRow(h.collaborator.Email)
	carl.submit(h.revokePath(carlRow), h.revokePath(carlRow), nil).expectRedirect("/")
	clock.Advance(lifecycleTTL)
	if _, err := h.svc.RecordExpiries(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"The invitation of pia@example.com expired",
		"carl@example.com stopped collaborating",
		"olivia revoked the access of zoe@example.com",
		"olivia sent a new invitation to zoe@example.com",
		"carl invited zoe@example.com",
		"olivia invited pia@example.com",
		"carl@example.com accepted the invitation",
		"olivia invited carl@example.com",
	}
	// The expiry happened at pia's TTL, after everything else here.
	if got := events(owner.get(h.collaboratorsPath())); !slices.Equal(got, want) {
		t.Errorf("activity:\n got %q\nwant %q", got, want)
	}
}

func TestInviteLimitIsSaidNextToTheEmailFieldAndStoresNothing(t *testing.T) {
	h, clock := newLifecycleHarness(t, 3)
	const message = "This database has reached its limit of 3 invitations in 24 hours; try again later"
	a := h.signedIn(h.owner)
	a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"third@example.com"}}).expectRedirect(h.collaboratorsPath())
	h.takeEmails()

	before := h.rows()
	r := a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"Fourth@example.com"}}).
		expectStatus(http.StatusTooManyRequests)
	r.expectFieldError("Email", "email", message)
	r.expectField("Email", "Fourth@example.com")
	if _, open := r.doc.Find("[data-testid=add-collaborator]").Attr("open"); !open {
		t.Error("the Add form is closed: its error is hidden")
	}
	a.submit(h.collaboratorsPath(), h.resendPath(h.mustRow(h.invitee.Email)), nil).expectRedirect(h.collaboratorsPath())
	if got := a.get(h.collaboratorsPath()).flash(); got != message {
		t.Errorf("a resend past the limit says %q", got)
	}
	if after := h.rows(); len(after) != len(before) || !bytes.Equal(after[2].TokenHash, before[2].TokenHash) {
		t.Error("a refused invitation or resend changed the rows")
	}
	if emails := h.takeEmails(); len(emails) != 0 {
		t.Errorf("%d e-mails queued past the limit", len(emails))
	}

	// 24 hours after the seed's two invitations, two more may go.
	clock.Advance(24 * time.Hour)
	a.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"fourth@example.com"}}).expectRedirect(h.collaboratorsPath())
}

func TestDeliveryStateIsShownUnderPendingAddresses(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	zoe := h.invite(h.owner, "zoe@example.com")
	delivery := func(email string) string {
		t.Helper()
		page := h.signedIn(h.collaborator).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
		return textOf(rowOf(page, email).Find("[data-testid=delivery]"))
	}
	if got := delivery("zoe@example.com"); got != "Invitation e-mail queued" {
		t.Errorf("a queued invitation shows %q", got)
	}
	if got := delivery(h.invitee.Email); got != "Invitation e-mail sent" {
		t.Errorf("a delivered invitation shows %q", got)
	}
	if got := delivery(h.collaborator.Email); got != "" {
		t.Errorf("an accepted row shows a delivery: %q", got)
	}
	const smtpError = "dial tcp 127.0.0.1:2525: connect: connection refused"
	if err := h.store.Tx(context.Background(), func(tx store.WriteTx) error {
		return tx.MarkEmailFailed(context.Background(), zoe.EmailID, smtpError, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if got := delivery("zoe@example.com"); got != "Invitation e-mail failing: "+smtpError {
		t.Errorf("a failing invitation shows %q", got)
	}

	// Only members see it: the invitee's page of the link does not say it.
	token := h.invitationToken("zoe@example.com")
	if page := h.anonymous().openLink(token, http.StatusOK); strings.Contains(page.body, smtpError) {
		t.Error("the invitation page shows the SMTP error")
	}
}

// Invitation tokens are only in the e-mail: never in a page, a redirect, an event or a
// request log line, whatever happens to the link.
func TestInvitationTokensNeverReachPagesNorLogs(t *testing.T) {
	var logs testkit.SyncBuffer
	h, clock := newLifecycleHarness(t, 0, func(s *handlers.Server) {
		s.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	var answers []*response
	keep := func(r *response) *response {
		answers = append(answers, r)
		return r
	}

	owner := h.signedIn(h.owner)
	keep(owner.submit(h.collaboratorsPath(), h.collaboratorsPath(), url.Values{"email": {"zoe@example.com"}}))
	first := h.invitationToken("zoe@example.com")
	zoeRow := h.mustRow("zoe@example.com")
	keep(owner.submit(h.collaboratorsPath(), h.resendPath(zoeRow), nil))
	second := h.invitationToken("zoe@example.com")

	zoe := h.anonymous()
	for _, token := range []string{first, second} {
		keep(zoe.get("/invitations/" + token))
		keep(zoe.get("/invitation"))
	}
	keep(zoe.get("/signup?from=invitation"))
	keep(zoe.submit("/signup?from=invitation", "/signup", url.Values{"username": {"zoe"}, "password": {password}, "from": {"invitation"}}))
	keep(zoe.get("/invitation"))
	keep(zoe.submit("/invitation", "/invitation", nil))
	keep(zoe.get(links.Database(dbName)))
	keep(zoe.get(h.collaboratorsPath()))
	keep(zoe.get("/invitations/" + second)) // used
	clock.Advance(lifecycleTTL)
	keep(owner.get(h.collaboratorsPath()))
	keep(owner.get(h.revokePath(zoeRow)))
	keep(h.signedIn(h.invitee).get("/invitations/" + h.inviteeToken)) // expired
	keep(h.signedIn(h.invitee).get("/invitation"))

	if !strings.Contains(logs.String(), "route=/invitations/:token") {
		t.Fatalf("the request log was not captured:\n%s", logs.String())
	}
	for _, token := range []string{first, second, h.inviteeToken} {
		if strings.Contains(logs.String(), token) {
			t.Errorf("a log line holds a token:\n%s", logs.String())
		}
		for _, r := range answers {
			if strings.Contains(r.body, token) || strings.Contains(fmt.Sprint(r.header), token) {
				t.Errorf("%s: the answer holds a token:\n%v\n%s", r.what, r.header, r.body)
			}
		}
	}
}

// A refusal for good is shown as failed, with the server's words, and is not retried.
func TestRefusedInvitationShowsFailed(t *testing.T) {
	h, _ := newLifecycleHarness(t, 0)
	zoe := h.invite(h.owner, "zoe@example.com")
	const refusal = "SMTP RCPT TO failed: 550 5.1.1 no such mailbox"
	if err := h.store.Tx(context.Background(), func(tx store.WriteTx) error {
		return tx.MarkEmailRefused(context.Background(), zoe.EmailID, refusal, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	page := h.signedIn(h.owner).get(h.collaboratorsPath()).expectStatus(http.StatusOK)
	got := rowOf(page, "zoe@example.com").Find("[data-testid=delivery]")
	if textOf(got) != "Invitation e-mail failed: "+refusal || !got.HasClass("delivery-failed") {
		t.Errorf("a refused invitation shows %q (class %q)", textOf(got), got.AttrOr("class", ""))
	}
}
