package views

import (
	"bytes"
	"context"
	"html"
	"io"
	"time"

	"github.com/a-h/templ"

	"dbcollab/store"
)

// collaboratorRows are the tab's rows. They are written in Go rather than templ as the
// markup the tab repeats most: templ's attribute expressions box and resolve each value
// (7 of a row's 13 allocations) and each component a row calls costs it three more
// (README, Performance). Their bytes are those collaborators.templ wrote
// (TestCollaboratorRowsMarkupIsUnchanged); every text and attribute value is escaped as
// templ escapes it, by html.EscapeString. Each row is written at once, its address
// escaped once for its four uses.
func collaboratorRows(viewer *store.User, db *store.Database, rows []store.Collaborator, now time.Time, access AccessView) templ.Component {
	return &rowsMarkup{viewer: viewer, db: db, rows: rows, now: now, access: access}
}

type rowsMarkup struct {
	viewer  *store.User
	db      *store.Database
	rows    []store.Collaborator
	now     time.Time
	access  AccessView
	scratch []byte
}

func (r *rowsMarkup) Render(ctx context.Context, w io.Writer) error {
	out := markupWriter{w: w}
	for i := range r.rows {
		r.row(ctx, &out, &r.rows[i])
		out.flush()
	}
	return out.err
}

func (r *rowsMarkup) row(ctx context.Context, out *markupWriter, m *store.Collaborator) {
	email := html.EscapeString(m.Email)
	out.raw(`<tr data-testid="collaborator-row" data-email="`)
	out.raw(email)
	out.raw(`"`)
	if isInvitation(*m) {
		out.raw(` class="pending"`)
	}
	out.raw(`><td>`)
	out.raw(email)
	out.raw(` `)
	if m.UserID == r.viewer.ID {
		out.raw(`<span class="you">(you)</span>`)
	}
	// Invitations older than delivery tracking have no e-mail to report on.
	if isInvitation(*m) && m.EmailID != 0 {
		deliveryState(out, &m.Delivery)
	}
	if r.scratch = appendRowWhen(r.scratch[:0], m, r.now); len(r.scratch) > 0 {
		out.raw(`<small>`)
		out.escapedBytes(r.scratch)
		out.raw(`</small>`)
	}
	// Narrow screens label these cells from app.css (table.members), not per row.
	out.raw(`</td><td>`)
	out.escaped(displayUsername(*m))
	out.raw(`</td><td>`)
	out.escaped(m.Status)
	if access := r.access.Of(*m); access.shown() {
		out.component(ctx, accessState(access))
	}
	out.raw(`</td><td>`)
	out.escaped(m.Role())
	out.raw(`</td><td>`)
	if m.Status != store.StatusOwner {
		r.menu(out, m, email)
	}
	out.raw(`</td></tr>`)
}

// menu is the row's contextual menu, one markup for both: without JavaScript a
// <details> whose items are links to the confirmation pages; with it, app.js makes the
// button beside it a WAI-ARIA menu button over the same items, which then open the
// popups (their questions are the dialogs'). "Resend invitation" submits the page's
// #row-action form either way. What app.js can add (ids, roles, aria-expanded) is not
// sent with every row. The links hold only ASCII letters, digits and slashes: they
// need no escaping.
func (r *rowsMarkup) menu(out *markupWriter, m *store.Collaborator, email string) {
	out.raw(`<div data-menu><button aria-haspopup="menu" aria-label="Actions for `)
	out.raw(email)
	out.raw(`">⋯</button> <details><summary aria-label="Actions for `)
	out.raw(email)
	out.raw(`">Actions</summary><ul>`)
	if isInvitation(*m) {
		out.raw(`<li><button form="row-action" formaction="`)
		r.link(out, m.ID, "resend")
		out.raw(`">Resend invitation</button></li>`)
	}
	out.raw(`<li><a href="`)
	r.link(out, m.ID, "revoke")
	out.raw(`" data-revoke="`)
	out.escaped(revokeKind(r.viewer, *m))
	out.raw(`">Revoke access</a></li>`)
	if mayMakeOwner(r.viewer, *r.db, *m) {
		out.raw(`<li><a href="`)
		r.link(out, m.ID, "owner")
		out.raw(`" data-transfer="any">Make owner</a></li>`)
	}
	out.raw(`</ul></details></div>`)
}

func (r *rowsMarkup) link(out *markupWriter, id int64, action string) {
	out.buf = appendRowAction(out.buf, id, action)
}

// deliveryState tells whether the invitation e-mail left, so that "it never arrived"
// can be answered from here.
func deliveryState(out *markupWriter, d *store.Delivery) {
	switch d.State() {
	case "sent":
		out.raw(`<span class="delivery delivery-sent" data-testid="delivery">Invitation e-mail sent</span>`)
	case "failing":
		out.raw(`<span class="delivery delivery-failing" data-testid="delivery">Invitation e-mail failing: `)
		out.escaped(d.LastError)
		out.raw(`</span>`)
	case "failed":
		out.raw(`<span class="delivery delivery-failed" data-testid="delivery">Invitation e-mail failed: `)
		out.escaped(d.LastError)
		out.raw(`</span>`)
	default:
		out.raw(`<span class="delivery delivery-queued" data-testid="delivery">Invitation e-mail queued</span>`)
	}
}

// markupWriter gathers markup in its buffer and writes it at each flush, until the
// first error, which it keeps: one write a row rather than one a piece.
type markupWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (o *markupWriter) raw(s string) { o.buf = append(o.buf, s...) }

func (o *markupWriter) escaped(s string) { o.buf = append(o.buf, html.EscapeString(s)...) }

// escapedBytes is escaped for text in a buffer, which needs no escaping in the rows
// but the inviter's name (a username: letters, digits, '_' and '-').
func (o *markupWriter) escapedBytes(b []byte) {
	if bytes.ContainsAny(b, `&'<>"`) {
		o.escaped(string(b))
		return
	}
	o.buf = append(o.buf, b...)
}

func (o *markupWriter) flush() {
	if o.err == nil && len(o.buf) > 0 {
		_, o.err = o.w.Write(o.buf)
	}
	o.buf = o.buf[:0]
}

func (o *markupWriter) component(ctx context.Context, c templ.Component) {
	o.flush()
	if o.err == nil {
		o.err = c.Render(ctx, o.w)
	}
}

// eventItems are the Activity's events, each a list item, written in Go as the rows are.
func eventItems(events []store.Event) templ.Component { return &eventsMarkup{events: events} }

type eventsMarkup struct{ events []store.Event }

func (l *eventsMarkup) Render(_ context.Context, w io.Writer) error {
	out := markupWriter{w: w}
	for i := range l.events {
		e := &l.events[i]
		out.raw(`<li data-testid="event" data-type="`)
		out.escaped(e.Type)
		out.raw(`"><span>`)
		out.escaped(describeEvent(*e))
		// Formatted dates hold no character that HTML escapes.
		out.raw(`</span> <time datetime="`)
		out.buf = e.At.AppendFormat(out.buf, "2006-01-02T15:04:05Z07:00")
		out.raw(`">`)
		out.buf = e.At.AppendFormat(out.buf, "2 Jan 2006, 15:04 UTC")
		out.raw(`</time></li>`)
		out.flush()
	}
	return out.err
}
