package handlers_test

import (
	"context"
	"regexp"

	"dbcollab/service"
)

var confirmationLink = regexp.MustCompile(`/signup/confirm/([A-Za-z0-9_-]{43})\b`)

// confirmationToken reads the outbox and returns the token of the last confirmation
// link e-mailed to email.
func (h *harness) confirmationToken(email string) string {
	h.t.Helper()
	var token string
	for _, e := range h.takeEmails() {
		if m := confirmationLink.FindStringSubmatch(e.Text); e.To == email && m != nil {
			token = m[1]
		}
	}
	if token == "" {
		h.t.Fatalf("no confirmation e-mail to %s in the outbox", email)
	}
	return token
}

// requestSignup signs name@example.com up through the rules, unconfirmed, and returns
// its confirmation link's token.
func (h *harness) requestSignup(name string) string {
	h.t.Helper()
	_, err := h.svc.RequestSignup(context.Background(), service.SignupRequest{
		SignupInput: service.SignupInput{Email: name + "@example.com", Username: name, Password: password},
		ClientAddr:  "client-of-" + name, // each its own, clear of the throttle
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.confirmationToken(name + "@example.com")
}
