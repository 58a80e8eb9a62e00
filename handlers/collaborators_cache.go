package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/views"
)

// collaboratorsCache keeps finished Collaborators tabs, compressed as sent, so that a
// tab viewed again costs its membership check and what a static file costs, instead of
// two more queries, a render of every row and gzip (about 1.3 ms of CPU for a hundred rows).
//
// Every view, cached or not, first checks that the viewer is a member (one indexed
// query, service.Membership), which also reads the database's version: authorization
// never rests on the cache. A cached tab is used only if it is current:
//   - the store's contents: the rows, their e-mails' delivery, the Activity, the names
//     on them. They are pinned by the database's version, read with the membership
//     before the rows and the Activity, and moved by the store in the transaction of
//     every change of them (so a write elsewhere, such as a token's use or another
//     database's invitation, keeps the tab).
//   - the request: the signed-in user's ID, the database as named in the URL, the
//     search, status filter and page of rows, the Activity page, the CSRF token the forms carry, whether the answer is gzipped; all
//     in the key. (Whether cookies are Secure is the Server's, as is the cache; the
//     cookies themselves are set by the middleware, hit or not.)
//   - the clock: a pending row shows as expired from its expiry on, and rows say "2 days
//     ago", so a tab is kept only until the first of its rows would say something else
//     (views.RowsCurrentUntil: at most a minute for a row invited within the hour, a
//     day for one invited days ago). The pending and expired filters are not kept at
//     all: any row's expiry, on another page too, changes what they choose.
//   - the flash message: a tab showing one is not kept, nor served from here.
//   - the PostgreSQL sessions open now ("connected: N"), which no write moves: with a
//     server attached they are read on every view, and a tab is served only to a view
//     that finds the same counts (the access states are in the store, moving the version).

type collaboratorsCache struct {
	mu      sync.Mutex
	entries map[collaboratorsKey]cachedAnswer
	size    int // bytes of the kept bodies
	renders singleflight.Group
}

type collaboratorsKey struct {
	userID int64
	ref    string
	rows   service.RowQuery
	page   int
	csrf   string
	gzip   bool
}

// cachedAnswer is a tab as sent: its body, gzipped or not, which database at which
// version it shows, until when it is current.
type cachedAnswer struct {
	body       []byte
	gzipped    bool
	databaseID string
	version    int64
	until      time.Time // zero: no expiry
	sessions   string    // liveSessions.key
}

// maxCachedTabs bounds the memory: past it, the cache starts again empty. A hundred
// rows make 11 KB gzipped (137 KB for the rare client that does not accept gzip).
const maxCachedTabs = 4 << 20

func (cc *collaboratorsCache) get(key collaboratorsKey, db store.Database, sessions liveSessions, now time.Time) (cachedAnswer, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	a, ok := cc.entries[key]
	if !ok || !a.current(db, sessions, now) {
		return cachedAnswer{}, false
	}
	return a, true
}

// current says whether a is the tab of db at its version, with sessions, at now.
func (a cachedAnswer) current(db store.Database, sessions liveSessions, now time.Time) bool {
	return a.databaseID == db.ID && a.version == db.Version && a.sessions == sessions.key && (a.until.IsZero() || now.Before(a.until))
}

func (cc *collaboratorsCache) put(key collaboratorsKey, a cachedAnswer) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	old, ok := cc.entries[key]
	if ok && old.databaseID == a.databaseID && old.version > a.version {
		return // a later version is kept already
	}
	if cc.entries == nil || cc.size-len(old.body)+len(a.body) > maxCachedTabs {
		cc.entries, cc.size, old = map[collaboratorsKey]cachedAnswer{}, 0, cachedAnswer{}
	}
	cc.entries[key] = a
	cc.size += len(a.body) - len(old.body)
}

// cachedCollaborators is the Collaborators tab, from the cache when there is no flash
// message to show.
func (s *Server) cachedCollaborators(c echo.Context) error {
	flash, err := s.takeFlash(c)
	if err != nil {
		return err
	}
	token, _ := c.Get(csrfKey).(string)
	rows, filter := rowQuery(c)
	key := collaboratorsKey{userID: currentUser(c).ID, ref: c.Param("db"), rows: rows, page: activityPage(c), csrf: token, gzip: acceptsGzip(c)}
	keep := flash.text == "" && filter.Errors == nil && rows.Status != store.StatusPending && rows.Status != store.StatusExpired
	member, err := s.membership(c)
	if err != nil {
		return err
	}
	db := member.Database()
	sessions, err := s.liveSessions(c, member)
	if err != nil {
		return err
	}
	render := func() (cachedAnswer, error) {
		tab, err := s.Service.CollaboratorsTabFor(c.Request().Context(), member, rows, key.page)
		if err != nil {
			return cachedAnswer{}, err
		}
		access, err := s.accessView(c, member, sessions, tab.Rows)
		if err != nil {
			return cachedAnswer{}, err
		}
		now := s.Service.Time()
		p := pageWithFlash(c, collaboratorsTitle(tab), flash)
		a, err := answerOf(c, collaboratorsPage(p, tab, views.AddForm{}, filter, key.page, now, access), key.gzip)
		a.databaseID, a.version, a.until, a.sessions = db.ID, db.Version, views.RowsCurrentUntil(tab.Rows, now), sessions.key
		return a, err
	}
	if !keep {
		a, err := render()
		if err != nil {
			return err
		}
		return a.send(c)
	}
	now := s.Service.Time()
	if a, ok := s.collaboratorsCache.get(key, db, sessions, now); ok {
		return a.send(c)
	}
	a, err := s.collaboratorsCache.renderOnce(key, db, sessions, now, render)
	if err != nil {
		return err
	}
	return a.send(c)
}

// renderOnce renders the tab of key, as of db's version and sessions, once for all the
// views that miss it meanwhile, and keeps it. A write that moves the version, or the
// clock turning a row's "2 minutes ago" into "3", makes every viewer of the tab miss at
// once, and each rendered it: its queries, every row and gzip, and on PostgreSQL a
// connection each (the load test's 32 connections made 32 renders at each such miss). A
// view shares only the render of the state it read itself, its version and sessions
// being in the render's name, as it would share the tab kept; nor a render its clock,
// now, has already ended: it takes what get would.
func (cc *collaboratorsCache) renderOnce(key collaboratorsKey, db store.Database, sessions liveSessions, now time.Time, render func() (cachedAnswer, error)) (cachedAnswer, error) {
	name := fmt.Sprintf("%#v %q %d %q", key, db.ID, db.Version, sessions.key)
	for {
		rendered := false
		v, err, _ := cc.renders.Do(name, func() (any, error) {
			rendered = true
			a, err := render()
			if err == nil {
				cc.put(key, a)
			}
			return a, err
		})
		a, _ := v.(cachedAnswer)
		switch {
		case rendered:
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			continue // the request that rendered it ended: no reason for this one to fail
		case err == nil && !a.current(db, sessions, now):
			continue // begun before a row's "2 minutes ago" turned "3" at now
		}
		return a, err
	}
}

// answerOf renders component, gzipped as the compress middleware would have done it.
func answerOf(c echo.Context, component templ.Component, gzipped bool) (cachedAnswer, error) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := component.Render(c.Request().Context(), buf); err != nil {
		return cachedAnswer{}, err
	}
	if !gzipped || buf.Len() < minCompressed {
		return cachedAnswer{body: bytes.Clone(buf.Bytes())}, nil
	}
	zipped := answerBuffers.Get().(*bytes.Buffer)
	defer putAnswerBuffer(zipped)
	if err := gzipInto(zipped, buf.Bytes()); err != nil {
		return cachedAnswer{}, err
	}
	return cachedAnswer{body: bytes.Clone(zipped.Bytes()), gzipped: true}, nil
}

// send answers as render does; a gzipped body is marked so, and the compress
// middleware lets it through as it is.
func (a cachedAnswer) send(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	if a.gzipped {
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, a.body)
}
