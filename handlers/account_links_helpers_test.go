package handlers_test

import (
	"context"
	"net/http"
	"regexp"

	"dbcollab/store"
)

var (
	resetLink       = regexp.MustCompile(`/password/reset/([A-Za-z0-9_-]{43})\b`)
	emailChangeLink = regexp.MustCompile(`/account/email/confirm/([A-Za-z0-9_-]{43})\b`)
)

// linkTokenTo empties the outbox and returns the token of the last link matching link
// e-mailed to email.
func (h *harness) linkTokenTo(email string, link *regexp.Regexp) string {
	h.t.Helper()
	var token string
	for _, e := range h.takeEmails() {
		if m := link.FindStringSubmatch(e.Text); e.To == email && m != nil {
			token = m[1]
		}
	}
	if token == "" {
		h.t.Fatalf("no e-mail to %s in the outbox carries a link like %s", email, link)
	}
	return token
}

// resetToken has the rules e-mail u a password reset link and returns its token.
func (h *harness) resetToken(u store.User) string {
	h.t.Helper()
	if err := h.svc.RequestPasswordReset(context.Background(), u.Email, "client-of-"+u.Username); err != nil {
		h.t.Fatal(err)
	}
	return h.linkTokenTo(u.Email, resetLink)
}

// emailChangeToken has u ask, through the rules, to move to newEmail, and returns the
// token of the link e-mailed there.
func (h *harness) emailChangeToken(u store.User, newEmail string) string {
	h.t.Helper()
	if _, err := h.svc.RequestEmailChange(context.Background(), u.ID, newEmail, password); err != nil {
		h.t.Fatal(err)
	}
	return h.linkTokenTo(newEmail, emailChangeLink)
}

// ownSession gives the case's browser a session of its own, signed in afresh as its
// role, so that what the case ends is not the role's shared session.
func (c *matrixCase) ownSession() {
	if c.role == anonymous {
		return
	}
	c.a = c.w.browser(c.h)
	c.a.login(c.w.users[c.role].Email, password).expectRedirect("/")
	c.csrf = c.a.token()
}

// endsOtherSessions is for a case that logs out the role's other sessions: when it
// ends, the role's shared browser signs in again.
func (c *matrixCase) endsOtherSessions() {
	c.ownSession()
	c.t.Cleanup(func() {
		r := c.role
		if r == anonymous || c.w.browsers[r].get("/").status == http.StatusOK {
			return
		}
		c.w.browsers[r].login(c.w.users[r].Email, password).expectRedirect("/")
		c.w.csrf[r] = c.w.browsers[r].token()
	})
}

// keepsPassword is for a case that may change the role's password (the hostile tests
// send valid but odd new passwords): when it ends, the password is the one it was,
// before the role's shared browser signs in again.
func (c *matrixCase) keepsPassword() {
	if c.role == anonymous {
		return
	}
	before, err := c.h.store.UserByID(c.t.Context(), c.w.users[c.role].ID)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		err := c.h.store.Tx(context.Background(), func(tx store.WriteTx) error {
			return tx.SetPassword(context.Background(), before.ID, before.PasswordHash)
		})
		if err != nil {
			c.t.Error(err)
		}
	})
}

// caseAccount signs up a confirmed account named after the case.
func (c *matrixCase) caseAccount() store.User {
	return c.h.signup(c.name+"@example.com", c.name)
}

// sessionsOf counts u's sessions.
func (c *matrixCase) sessionsOf(u store.User) int {
	return c.count(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID)
}
