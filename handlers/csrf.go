package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

const (
	// csrfField is the form field every form posts its token in.
	csrfField = "_csrf"
	// sessionCSRF is the session's secret token: it lives only in the encrypted session
	// cookie, so a cookie planted by a sibling subdomain or another port cannot supply it.
	sessionCSRF = "csrf"
	// fetchMetadataToken is what forms carry for browsers that send Sec-Fetch-Site:
	// their posts are judged by that header, so their pages hold no secret (see compress).
	fetchMetadataToken = "sec-fetch-site"
)

var (
	errCrossSite   = echo.NewHTTPError(http.StatusForbidden, "cross-site request")
	errNoCSRFToken = echo.NewHTTPError(http.StatusBadRequest, "missing CSRF token")
	errBadCSRF     = echo.NewHTTPError(http.StatusForbidden, "invalid CSRF token")
)

// csrf refuses cross-site state changes. A browser that sends Sec-Fetch-Site is judged by
// it: same-origin (or none: the user's own navigation) passes and cross-site is refused;
// same-site (a sibling subdomain or another port, which can plant cookies here) must show
// the session's token. A client without Sec-Fetch-Site must show the session's token, and
// its Origin, if any, must be this host.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Nothing to protect: a session would keep an immutable file out of shared caches,
		// and a health probe needs none.
		if isStaticAsset(c) || c.Path() == "/healthz" {
			return next(c)
		}
		r := c.Request()
		site := r.Header.Get("Sec-Fetch-Site")
		// A second session cookie was planted under a narrower path, to be read first and
		// have the user act in the planter's session.
		if !isSafeMethod(r.Method) && s.sessionCookies(r) > 1 {
			return errBadCSRF
		}
		if isSafeMethod(r.Method) || site == "same-origin" || site == "none" {
			if site != "" {
				c.Set(csrfKey, fetchMetadataToken)
				return next(c)
			}
			token, err := s.sessionToken(c)
			if err != nil {
				return err
			}
			c.Set(csrfKey, token)
			return next(c)
		}
		if site == "cross-site" || (site == "" && !s.fromThisHost(r)) {
			return errCrossSite
		}
		if err := s.checkToken(c); err != nil {
			return err
		}
		return next(c)
	}
}

// checkToken accepts a request whose form holds the session's token.
func (s *Server) checkToken(c echo.Context) error {
	sent := c.FormValue(csrfField)
	if sent == "" {
		return errNoCSRFToken
	}
	want, _ := s.session(c).Values[sessionCSRF].(string)
	if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return errBadCSRF
	}
	c.Set(csrfKey, want)
	return nil
}

// sessionCookies counts the session cookies the request carries.
func (s *Server) sessionCookies(r *http.Request) int {
	n := 0
	for _, cookie := range r.Cookies() {
		if cookie.Name == s.sessionCookie() {
			n++
		}
	}
	return n
}

// sessionToken returns the session's token, giving the session one if it has none.
func (s *Server) sessionToken(c echo.Context) (string, error) {
	sess := s.session(c)
	if token, ok := sess.Values[sessionCSRF].(string); ok {
		return token, nil
	}
	token := rand.Text()
	sess.Values[sessionCSRF] = token
	return token, s.saveSession(c, sess)
}

// fromThisHost reports whether the request's Origin, if it sends one, is this host: the
// one asked for, or the public URL's (a reverse proxy may pass on another Host).
func (s *Server) fromThisHost(r *http.Request) bool {
	origin := r.Header.Get(echo.HeaderOrigin)
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	public, err := url.Parse(s.Service.BaseURL)
	return u.Host == r.Host || (err == nil && u.Scheme == public.Scheme && u.Host == public.Host)
}

func isSafeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}
