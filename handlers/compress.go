package handlers

import (
	"compress/gzip"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"dbcollab/static"
)

// compress gzips answers of 1 KB and more for clients that accept it, at the fastest
// level: a page of a hundred rows (137 KB) shrinks to 11 KB for a third of the CPU the
// default level takes to reach 8 KB. Static assets come compressed already, once, at
// the best level (package static).
//
// BREACH, the attack on compressed pages that hold a secret next to text an attacker
// chooses, does not apply: the only secret our pages hold is the CSRF token. Browsers
// that send Sec-Fetch-Site get a constant placeholder instead (see csrf). Older ones get
// their real token only on requests that carry the SameSite=Strict CSRF cookie, which a
// cross-site page cannot make them send; any other answer holds a new random token, so
// nothing stays the same across the many requests the attack needs. The session cookie
// and API tokens in headers are not compressed; an API token in a body is shown once.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     gzip.BestSpeed,
		MinLength: 1024,
		Skipper:   isStaticAsset,
	})
}

// isStaticAsset reports whether the request is for a file of package static, which
// needs neither a user, nor a CSRF token, nor compressing.
func isStaticAsset(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, static.Prefix)
}
