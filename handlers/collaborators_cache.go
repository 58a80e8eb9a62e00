package handlers

import (
	"bytes"
	"net/http"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"dbcollab/views"
)

// collaboratorsCache keeps finished Collaborators tabs, compressed as sent, so that a
// tab viewed again costs what a static file costs instead of three queries, a render
// of every row and gzip (about 1.3 ms of CPU for a hundred rows).
//
// It never answers what a fresh render would not. A tab is a function of:
//   - the store's contents: the database, whether the viewer is a member, the rows,
//     their e-mails' delivery, the Activity, the viewer's name. They are pinned by the
//     store's Generation, read before any query the tab is made from and part of the
//     key: any later write moves it, and the tab is not used again. That is why a hit
//     may skip the membership check of CollaboratorsTab: made again, against the same
//     store contents, it would answer the same. (loadUser still finds the user on every
//     request, and requireUser still sends a visitor without one to the log-in page.)
//   - the request: the signed-in user's ID, the database as named in the URL, the
//     Activity page, the CSRF token the forms carry, whether the answer is gzipped; all
//     in the key. (Whether cookies are Secure is the Server's, as is the cache; the
//     cookies themselves are set by the middleware on every request, hit or not.)
//   - the clock: a pending row shows as expired from its expiry on, so a tab is kept
//     only until the first expiry of its rows (service.FirstExpiry).
//   - the flash message: a tab showing one is not kept, nor served from here.
//
// Only tabs of the current generation are kept: older ones can never be asked again.
type collaboratorsCache struct {
	mu         sync.Mutex
	generation uint64
	entries    map[collaboratorsKey]cachedAnswer
	size       int // bytes of the kept bodies
}

type collaboratorsKey struct {
	userID int64
	ref    string
	page   int
	csrf   string
	gzip   bool
}

// cachedAnswer is a tab as sent: its body, gzipped or not, until when it is current.
type cachedAnswer struct {
	body    []byte
	gzipped bool
	until   time.Time // zero: no expiry
}

// maxCachedTabs bounds the memory: past it, the cache starts again empty. A hundred
// rows make 11 KB gzipped (137 KB for the rare client that does not accept gzip).
const maxCachedTabs = 4 << 20

func (cc *collaboratorsCache) get(generation uint64, key collaboratorsKey, now time.Time) (cachedAnswer, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if generation != cc.generation {
		return cachedAnswer{}, false
	}
	a, ok := cc.entries[key]
	if !ok || (!a.until.IsZero() && !now.Before(a.until)) {
		return cachedAnswer{}, false
	}
	return a, true
}

func (cc *collaboratorsCache) put(generation uint64, key collaboratorsKey, a cachedAnswer) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	switch {
	case generation < cc.generation:
		return // written meanwhile: a later view makes the current one
	case generation > cc.generation || cc.entries == nil || cc.size+len(a.body) > maxCachedTabs:
		cc.generation, cc.entries, cc.size = generation, map[collaboratorsKey]cachedAnswer{}, 0
	}
	cc.entries[key] = a
	cc.size += len(a.body)
}

// cachedCollaborators is the Collaborators tab, from the cache when there is no flash
// message to show.
func (s *Server) cachedCollaborators(c echo.Context) error {
	// Read by loadUser before the user: whatever the tab is made of is at least this recent.
	generation, pinned := c.Get(generationKey).(uint64)
	flash, err := s.takeFlash(c)
	if err != nil {
		return err
	}
	cacheable := pinned && flash.text == ""
	token, _ := c.Get(csrfKey).(string)
	key := collaboratorsKey{userID: currentUser(c).ID, ref: c.Param("db"), page: activityPage(c), csrf: token, gzip: acceptsGzip(c)}
	if cacheable {
		if a, ok := s.collaboratorsCache.get(generation, key, s.Service.Time()); ok {
			return a.send(c)
		}
	}

	tab, err := s.Service.CollaboratorsTab(c.Request().Context(), key.userID, key.ref, key.page)
	if err != nil {
		return err
	}
	p := pageWithFlash(c, collaboratorsTitle(tab), flash)
	a, err := answerOf(c, collaboratorsPage(p, tab, views.Form{}, key.page), key.gzip)
	if err != nil {
		return err
	}
	a.until = s.Service.FirstExpiry(tab.Rows)
	if cacheable {
		s.collaboratorsCache.put(generation, key, a)
	}
	return a.send(c)
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
