package handlers

import (
	"errors"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"dbcollab/service"
	"dbcollab/store"
)

const (
	sessionName = "dbcollab_session"
	csrfKey     = "csrf"
	userKey     = "user"
	// generationKey holds the store's generation as the request began.
	generationKey = "generation"

	sessionUserID     = "user_id"
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
	sess, _ := s.sessionCache.Get(c.Request(), sessionName)
	return sess
}

func (s *Server) saveSession(c echo.Context, sess *sessions.Session) error {
	return sess.Save(c.Request(), c.Response())
}

// loadUser finds the signed-in user on every request: rights are read from the store
// each time, never cached in the cookie, so a revocation holds from the next request.
// Static files are the same for everyone: they need no user.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isStaticAsset(c) {
			return next(c)
		}
		// Before the user is read: a page made from this request's reads is at least
		// this recent (see collaboratorsCache).
		c.Set(generationKey, s.Service.Store.Generation())
		id, ok := s.session(c).Values[sessionUserID].(int64)
		if ok {
			user, err := s.Service.User(c.Request().Context(), id)
			switch {
			case err == nil:
				c.Set(userKey, &user)
			case !errors.Is(err, service.ErrNotFound):
				return err
			}
		}
		return next(c)
	}
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
		return c.Redirect(http.StatusSeeOther, "/login")
	}
}

// signIn starts a fresh session for user: every value of the anonymous one is dropped
// but the invitation being accepted. It returns where to go next.
func (s *Server) signIn(c echo.Context, user store.User) (string, error) {
	sess := s.session(c)
	next := "/"
	token, hasInvitation := sess.Values[sessionInvitation].(string)
	if to, ok := sess.Values[sessionReturnTo].(string); hasInvitation {
		next = "/invitation"
	} else if ok && isLocalPath(to) {
		next = to
	}
	sess.Values = map[any]any{sessionUserID: user.ID}
	if hasInvitation {
		sess.Values[sessionInvitation] = token
	}
	return next, s.saveSession(c, sess)
}

// isLocalPath accepts only paths on this site, never //host or a scheme.
func isLocalPath(p string) bool {
	return len(p) > 0 && p[0] == '/' && (len(p) == 1 || (p[1] != '/' && p[1] != '\\'))
}

// flash stores a message to show on the next page.
func (s *Server) flash(c echo.Context, message string) error {
	sess := s.session(c)
	sess.AddFlash(message)
	return s.saveSession(c, sess)
}

// takeFlash returns and forgets the pending message, if any.
func (s *Server) takeFlash(c echo.Context) (string, error) {
	sess := s.session(c)
	flashes := sess.Flashes()
	if len(flashes) == 0 {
		return "", nil
	}
	if err := s.saveSession(c, sess); err != nil {
		return "", err
	}
	message, _ := flashes[len(flashes)-1].(string)
	return message, nil
}
