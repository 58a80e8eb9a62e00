package views

import (
	"context"
	"html"
	"io"
	"time"

	"github.com/a-h/templ"

	"dbcollab/store"
)

// collaboratorRow is one row of the tab. It is written in Go rather than templ as the
// markup the tab repeats most: templ's attribute expressions box and resolve each value
// (7 of a row's 13 allocations) and each component a row calls costs it three more
// (README, Performance). Its bytes are those collaborators.templ wrote
// (TestCollaboratorRowsMarkupIsUnchanged); every text and attribute value is escaped as
// templ escapes it, by html.EscapeString.
func collaboratorRow(viewer *store.User, db *store.Database, m *store.Collaborator, now time.Time, access MemberAccess) templ.Component {
	return &rowMarkup{viewer: viewer, db: db, m: m, now: now, access: access}
}

type rowMarkup struct {
	viewer *store.User
	db     *store.Database
	m      *store.Collaborator
	now    time.Time
	access MemberAccess
}

func (r *rowMarkup) Render(ctx context.Context, w io.Writer) error {
	m := r.m
	out := markupWriter{w: w}
	out.raw(`<tr data-testid="collaborator-row" data-email="`)
	out.escaped(m.Email)
	out.raw(`"`)
	if isInvitation(*m) {
		out.raw(` class="pending"`)
	}
	out.raw(`><td>`)
	out.escaped(m.Email)
	out.raw(` `)
	if m.UserID == r.viewer.ID {
		out.raw(`<span class="you">(you)</span>`)
	}
	// Invitations older than delivery tracking have no e-mail to report on.
	if isInvitation(*m) && m.EmailID != 0 {
		out.component(ctx, deliveryState(m.Delivery))
	}
	if when := rowWhen(m, r.now); when != "" {
		out.raw(`<small>`)
		out.escaped(when)
		out.raw(`</small>`)
	}
	// Narrow screens label these cells from app.css (table.members), not per row.
	out.raw(`</td><td>`)
	out.escaped(displayUsername(*m))
	out.raw(`</td><td>`)
	out.escaped(m.Status)
	if r.access.shown() {
		out.component(ctx, accessState(r.access))
	}
	out.raw(`</td><td>`)
	out.escaped(m.Role())
	out.raw(`</td><td>`)
	if m.Status != store.StatusOwner {
		r.menu(&out)
	}
	out.raw(`</td></tr>`)
	return out.err
}

// menu is the row's contextual menu, one markup for both: without JavaScript a
// <details> whose items are links to the confirmation pages; with it, app.js makes the
// button beside it a WAI-ARIA menu button over the same items, which then open the
// popups (their questions are the dialogs'). "Resend invitation" submits the page's
// #row-action form either way. What app.js can add (ids, roles, aria-expanded) is not
// sent with every row.
func (r *rowMarkup) menu(out *markupWriter) {
	m := r.m
	out.raw(`<div data-menu><button aria-haspopup="menu" aria-label="Actions for `)
	out.escaped(m.Email)
	out.raw(`">⋯</button> <details><summary aria-label="Actions for `)
	out.escaped(m.Email)
	out.raw(`">Actions</summary><ul>`)
	if isInvitation(*m) {
		out.raw(`<li><button form="row-action" formaction="`)
		out.escaped(string(rowAction(m.ID, "resend")))
		out.raw(`">Resend invitation</button></li>`)
	}
	out.raw(`<li><a href="`)
	out.escaped(string(rowAction(m.ID, "revoke")))
	out.raw(`" data-revoke="`)
	out.escaped(revokeKind(r.viewer, *m))
	out.raw(`">Revoke access</a></li>`)
	if mayMakeOwner(r.viewer, *r.db, *m) {
		out.raw(`<li><a href="`)
		out.escaped(string(rowAction(m.ID, "owner")))
		out.raw(`" data-transfer="any">Make owner</a></li>`)
	}
	out.raw(`</ul></details></div>`)
}

// markupWriter writes markup until the first error, which it keeps.
type markupWriter struct {
	w   io.Writer
	err error
}

func (o *markupWriter) raw(s string) {
	if o.err == nil {
		_, o.err = io.WriteString(o.w, s)
	}
}

func (o *markupWriter) escaped(s string) { o.raw(html.EscapeString(s)) }

func (o *markupWriter) component(ctx context.Context, c templ.Component) {
	if o.err == nil {
		o.err = c.Render(ctx, o.w)
	}
}
