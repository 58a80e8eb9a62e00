// Package mailer writes dbcollab's e-mails and delivers the outbox.
package mailer

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"dbcollab/store"
)

// InvitationData is what an invitation e-mail says.
type InvitationData struct {
	DatabaseName string
	InviterName  string
	InviterEmail string
	Link         string
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time
}

// linkParts splits the link before its last path segment (the token), so that the HTML
// may let the link wrap there but never inside the token.
func (d InvitationData) linkParts() (prefix, token string) {
	i := strings.LastIndexByte(d.Link, '/') + 1
	return d.Link[:i], d.Link[i:]
}

// expires says when the link stops working, in UTC: the invitee's zone is unknown.
func (d InvitationData) expires() string {
	return d.ExpiresAt.UTC().Format("Mon 2 Jan 2006 at 15:04 MST")
}

// Invitation writes the invitation e-mail to an address, in plain text and HTML; a
// reply goes to the inviter.
func Invitation(to string, d InvitationData) store.Email {
	// The link has a line of its own, so that no client wraps it inside the token.
	text := fmt.Sprintf(`Hello,

%s (%s) invites you to collaborate on the dedicated PostgreSQL database %s.

Open this link to accept the invitation:

%s

The link expires on %s. The invitation must be accepted by an account using %s: sign up or log in with this address.

If you do not know %s, ignore this e-mail: nothing happens until the invitation is accepted.

-- 
dbcollab
`, d.InviterName, d.InviterEmail, d.DatabaseName, d.Link, d.expires(), to, d.InviterName)
	var html bytes.Buffer
	// Rendering a fixed template into memory cannot fail but for a bug.
	if err := invitationHTML(to, d).Render(context.Background(), &html); err != nil {
		panic(fmt.Sprintf("mailer: render invitation: %v", err))
	}
	return store.Email{
		To:      to,
		ReplyTo: d.InviterEmail,
		Subject: fmt.Sprintf("%s invites you to collaborate on %s", d.InviterName, d.DatabaseName),
		Text:    text,
		HTML:    html.String(),
	}
}
