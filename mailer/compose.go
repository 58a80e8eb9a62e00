// Package mailer writes dbcollab's e-mails and delivers the outbox.
package mailer

import (
	"bytes"
	"context"
	"fmt"

	"dbcollab/store"
)

// InvitationData is what an invitation e-mail says.
type InvitationData struct {
	DatabaseName string
	InviterName  string
	InviterEmail string
	Link         string
}

// Invitation writes the invitation e-mail to an address, in plain text and HTML.
func Invitation(to string, d InvitationData) store.Email {
	text := fmt.Sprintf(`Hello,

%s (%s) invites you to collaborate on the dedicated PostgreSQL database %s.

Open this link to accept the invitation:

%s

If you do not know %s, ignore this e-mail: nothing happens until the invitation is accepted.

-- 
dbcollab
`, d.InviterName, d.InviterEmail, d.DatabaseName, d.Link, d.InviterName)
	var html bytes.Buffer
	// Rendering a fixed template into memory cannot fail but for a bug.
	if err := invitationHTML(d).Render(context.Background(), &html); err != nil {
		panic(fmt.Sprintf("mailer: render invitation: %v", err))
	}
	return store.Email{
		To:      to,
		Subject: fmt.Sprintf("%s invites you to collaborate on %s", d.InviterName, d.DatabaseName),
		Text:    text,
		HTML:    html.String(),
	}
}
