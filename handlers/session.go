package handlers

import (
	"crypto/rand"
	"errors"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
)

const (
	sessionName = "dbcollab_session"
	csrfKey     = "csrf"
	userKey     = "user"
	// sessionRowKey is the request's store.Session, when signed in.
	sessionRowKey = "session_row"
	// viewedKey is the *service.Viewed that loadUser read with the session.
	viewedKey = "viewed_database"

	// sessionID is the random ID of the session row: the cookie's only proof of a sign-in.
	sessionID         = "sid"
	sessionReturnTo   = "return_to"
	sessionInvitation = "invitation"
	// sessionConfirmation is the token of a sign-up confirmation link being looked at.
	sessionConfirmation = "signup_confirmation"
)

// NewSessionStore returns the cookie store: signed with hashKey, encrypted with the
// 32-byte blockKey, HttpOnly, SameSite=Lax, Secure under https.
func NewSessionStore(hashKey, blockKey []byte, secure bool) *sessions.CookieStore {
	st := sessions.NewCookieStore(hashKey, blockKey)
	st.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   30 * 24 * 60 * 60,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	// The codecs too: a cookie older than that no longer decodes, and the session cache
	// expires its entries at the same age.
	st.MaxAge(st.Options.MaxAge)
	return st
}

func (s *Server) session(c echo.Context) *sessions.Session {
	s.sessionCacheOnce.Do(func() { s.sessionCache = newSessionCache(s.Sessions) })
	// A cookie that does not decode (old keys, tampering) gives a new, empty session.
	sess, _ := s.sessionCache.Get(c.Request(), s.sessionCookie())
	return sess
}

// sessionCookie is the session cookie's name: under https a __Host- one, which browsers
// take only from this host, over https, for the whole site, so that no sibling subdomain
// can plant its own.
func (s *Server) sessionCookie() string {
	if s.Secure {
		return "__Host-" + sessionName
	}
	return sessionName
}

func (s *Server) saveSession(c echo.Context, sess *sessions.Session) error {
	return sess.Save(c.Request(), c.Response())
}

// loadUser finds the signed-in user on every request, from the session row the cookie's
// ID names: a session logged out or gone idle signs nobody in, whatever copy of the
// cookie is sent. Rights are read from the store each time, never cached in the cookie,
// so a revocation holds from the next request. Static files are the same for everyone:
// they need no user.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isStaticAsset(c) {
			return next(c)
		}
		if token, ok := s.session(c).Values[sessionID].(string); ok {
			in, err := s.signedIn(c, token)
			switch {
			case err == nil:
				c.Set(userKey, &in.User)
				c.Set(sessionRowKey, in.Session)
				if in.Viewed != nil {
					c.Set(viewedKey, in.Viewed)
				}
				if in.Touched {
					// A new cookie, so that it expires after as much idle time as its row.
					s.saveAfterWrite(c, s.session(c))
				}
			case !errors.Is(err, service.ErrSessionEnded):
				return err
			}
		}
		return next(c)
	}
}

// signedIn reads the session the cookie names; for a page of a database, its account's
// membership of that database with it, as the page's handler asks for it next.
func (s *Server) signedIn(c echo.Context, token string) (service.SignedIn, error) {
	ctx := c.Request().Context()
	if ref := c.Param("db"); ref != "" && (c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead) {
		return s.Service.SessionUserIn(ctx, token, ref)
	}
	return s.Service.SessionUser(ctx, token)
}

// membership is the signed-in user's membership of the database the path names: as
// read with the session when the request began (loadUser), or read now.
func (s *Server) membership(c echo.Context) (service.Membership, error) {
	ref := c.Param("db")
	if v, ok := c.Get(viewedKey).(*service.Viewed); ok && v.Ref == ref {
		return v.Membership, v.Err
	}
	return s.Service.Membership(c.Request().Context(), currentUser(c).ID, ref)
}

// currentSession is the signed-in request's session row.
func currentSession(c echo.Context) store.Session {
	row, _ := c.Get(sessionRowKey).(store.Session)
	return row
}

// currentUser is the signed-in user, or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(userKey).(*store.User)
	return u
}

// requireUser sends anonymous visitors to the log-in page, and back here afterwards.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) != nil {
			return next(c)
		}
		if c.Request().Method == http.MethodGet {
			sess := s.session(c)
			sess.Values[sessionReturnTo] = c.Request().URL.RequestURI()
			if err := s.saveSession(c, sess); err != nil {
				return err
			}
		}
		return c.Redirect(http.StatusSeeOther, links.Login)
	}
}

// signIn starts a fresh session for user: a new session row, and every value of the
// anonymous cookie dropped but the invitation being accepted, with a new CSRF token. It
// returns where to go next.
func (s *Server) signIn(c echo.Context, user store.User) (string, error) {
	token, err := s.Service.StartSession(c.Request().Context(), user.ID, c.Request().UserAgent(), c.RealIP())
	if err != nil {
		return "", err
	}
	return s.holdSession(c, token), nil
}

// holdSession makes the browser's cookie hold the session ID token, as signIn says.
func (s *Server) holdSession(c echo.Context, token string) string {
	sess := s.session(c)
	next := links.Home
	invitation, hasInvitation := sess.Values[sessionInvitation].(string)
	if to, ok := sess.Values[sessionReturnTo].(string); hasInvitation {
		next = links.Invitation
	} else if ok && isLocalPath(to) {
		next = to
	}
	sess.Values = map[any]any{sessionID: token, sessionCSRF: rand.Text()}
	if hasInvitation {
		sess.Values[sessionInvitation] = invitation
	}
	s.saveAfterWrite(c, sess)
	return next
}

// isLocalPath accepts only paths on this site, never //host or a scheme.
func isLocalPath(p string) bool {
	return len(p) > 0 && p[0] == '/' && (len(p) == 1 || (p[1] != '/' && p[1] != '\\'))
}

// flash stores the message to show on the next page, in place of any not shown yet: a
// client that does not follow redirects would otherwise pile them up past what a cookie
// holds.
func (s *Server) flash(c echo.Context, message string) { s.setFlash(c, message, false) }

// flashError is flash for a message saying the last action was refused, shown as an error.
func (s *Server) flashError(c echo.Context, message string) { s.setFlash(c, message, true) }

func (s *Server) setFlash(c echo.Context, message string, refusal bool) {
	sess := s.session(c)
	sess.Flashes()
	sess.Flashes(errorFlashes)
	if refusal {
		sess.AddFlash(message, errorFlashes)
	} else {
		sess.AddFlash(message)
	}
	s.saveAfterWrite(c, sess)
}

// saveAfterWrite saves the session of a request whose write has committed. A failure is
// logged, not answered: a 5xx would say that what was done was not.
func (s *Server) saveAfterWrite(c echo.Context, sess *sessions.Session) {
	if err := s.saveSession(c, sess); err != nil {
		s.Log.Error("save the session after a write", "route", c.Path(), "err", err)
	}
}

// errorFlashes is the session key of the messages saying an action was refused.
const errorFlashes = "_error_flash"

// flashMessage is a one-time message and whether it says an action was refused.
type flashMessage struct {
	text    string
	isError bool
}

// takeFlash returns and forgets the pending message, if any; a refusal wins.
func (s *Server) takeFlash(c echo.Context) (flashMessage, error) {
	sess := s.session(c)
	notes, refusals := sess.Flashes(), sess.Flashes(errorFlashes)
	if len(notes)+len(refusals) == 0 {
		return flashMessage{}, nil
	}
	if err := s.saveSession(c, sess); err != nil {
		return flashMessage{}, err
	}
	if len(refusals) > 0 {
		text, _ := refusals[len(refusals)-1].(string)
		return flashMessage{text: text, isError: true}, nil
	}
	text, _ := notes[len(notes)-1].(string)
	return flashMessage{text: text}, nil
}
