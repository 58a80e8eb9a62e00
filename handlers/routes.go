package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dbcollab/static"
)

// Routes returns the dashboard: the whole route table and middleware chain.
func (s *Server) Routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleErrors
	// c.RealIP() is the client address the log-in throttle counts failures of: the
	// direct peer, or what a trusted proxy says in X-Forwarded-For.
	e.IPExtractor = clientIP(s.TrustedProxies)

	e.Pre(headAsGet)
	e.Use(s.recoverPanics, compress, s.logRequests, securityHeaders,
		dashboardOnly(limitForms), dashboardOnly(s.csrf), dashboardOnly(s.loadUser))

	e.GET("/healthz", s.health)
	e.GET("/favicon.ico", noFavicon)
	e.GET(static.Prefix+"*", echo.WrapHandler(static.Handler()))

	e.GET("/signup", s.signupForm)
	e.POST("/signup", s.signup)
	e.GET("/signup/confirm/:token", s.openSignupConfirmation)
	e.GET("/signup/confirm", s.showSignupConfirmation)
	e.POST("/signup/confirm", s.confirmSignup)
	e.GET("/login", s.loginForm)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/password/forgot", s.forgotPasswordForm)
	e.POST("/password/forgot", s.forgotPassword)
	e.GET("/password/reset/:token", s.openPasswordReset)
	e.GET("/password/reset", s.showPasswordReset)
	e.POST("/password/reset", s.resetPassword)
	e.GET("/account/email/confirm/:token", s.openEmailConfirmation)
	e.GET("/account/email/confirm", s.showEmailConfirmation)
	e.POST("/account/email/confirm", s.confirmEmailChange)

	e.GET("/invitations/:token", s.openInvitation)
	e.GET("/invitation", s.showInvitation)
	e.POST("/invitation", s.acceptInvitation, s.requireUser)

	signedIn := e.Group("", s.requireUser)
	signedIn.GET("/", s.databasesList)
	signedIn.GET("/databases/new", s.databaseNewForm)
	signedIn.POST("/databases", s.databaseCreate)
	signedIn.GET("/account", s.account)
	signedIn.POST("/account/tokens", s.accountTokenCreate)
	signedIn.POST("/account/tokens/:id/revoke", s.accountTokenRevoke)
	signedIn.POST("/account/delete", s.accountDelete)
	signedIn.POST("/account/sessions/:id/logout", s.accountSessionLogout)
	signedIn.POST("/account/sessions/logout-others", s.accountSessionsLogoutOthers)
	signedIn.POST("/account/password", s.accountPasswordChange)
	signedIn.POST("/account/email", s.accountEmailChange)

	db := signedIn.Group("/databases/:db")
	db.GET("", s.databaseOverview)
	db.POST("/credentials", s.credentialsReset)
	db.GET("/settings", s.databaseSettings)
	db.POST("/settings/delete", s.databaseDelete)
	db.GET("/settings/collaborators", s.collaboratorsList)
	db.POST("/settings/collaborators", s.collaboratorsAdd)
	db.GET("/settings/collaborators/:id/revoke", s.collaboratorsRevokeConfirm)
	db.POST("/settings/collaborators/:id/revoke", s.collaboratorsRevoke)
	db.POST("/settings/collaborators/:id/resend", s.collaboratorsResend)
	db.GET("/settings/collaborators/:id/owner", s.collaboratorsTransferConfirm)
	db.POST("/settings/collaborators/:id/owner", s.collaboratorsTransfer)

	// The JSON API: bearer tokens only, JSON errors, no session cookie and no CSRF token
	// (see dashboardOnly). Routes are authenticated one by one so that an unknown /v1
	// path is a 404 even without a token.
	api := e.Group("/v1", noStore)
	api.POST("/tokens", s.apiTokenCreate)
	api.DELETE("/tokens/current", s.apiTokenRevokeCurrent, s.requireAPIToken)
	api.GET("/databases", s.apiDatabasesList, s.requireAPIToken)
	api.GET("/databases/:db", s.apiDatabaseShow, s.requireAPIToken)
	api.DELETE("/databases/:db", s.apiDatabaseDelete, s.requireAPIToken)
	api.GET("/databases/:db/collaborators", s.apiCollaboratorsList, s.requireAPIToken)
	api.POST("/databases/:db/collaborators", s.apiCollaboratorsAdd, s.requireAPIToken)
	api.DELETE("/databases/:db/collaborators/:id", s.apiCollaboratorsRemove, s.requireAPIToken)
	api.POST("/databases/:db/collaborators/:id/resend", s.apiCollaboratorsResend, s.requireAPIToken)
	api.POST("/databases/:db/owner", s.apiOwnerTransfer, s.requireAPIToken)
	api.GET("/databases/:db/events", s.apiEventsList, s.requireAPIToken)
	api.GET("/databases/:db/credentials", s.apiCredentialsShow, s.requireAPIToken)
	api.POST("/databases/:db/credentials", s.apiCredentialsReset, s.requireAPIToken)

	// The Scalingo-compatible API, for the official scalingo client and go-scalingo: the
	// access token of the exchange opens these routes and no other.
	api.POST("/tokens/exchange", s.scalingoTokenExchange)
	api.GET("/regions", s.scalingoRegions)
	api.GET("/users/self", s.scalingoUserSelf, s.requireAccessToken)
	api.GET("/apps/:db", s.scalingoApp, s.requireAccessToken)
	api.GET("/apps/:db/addons", s.scalingoAddons, s.requireAccessToken)
	api.GET("/apps/:db/collaborators", s.scalingoCollaboratorsList, s.requireAccessToken)
	api.POST("/apps/:db/collaborators", s.scalingoCollaboratorsAdd, s.requireAccessToken)
	api.DELETE("/apps/:db/collaborators/:id", s.scalingoCollaboratorsRemove, s.requireAccessToken)

	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e
}

// health answers 200 while the store answers, and 503 once the server drains (Drain).
func (s *Server) health(c echo.Context) error {
	if s.draining.Load() {
		return c.String(http.StatusServiceUnavailable, "stopping\n")
	}
	if err := s.Service.Store.Ping(c.Request().Context()); err != nil {
		s.Log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "store unreachable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

// noFavicon answers the icon browsers ask for on every page: there is none, and a 204
// says so without the 404 that would show as an error in their console.
func noFavicon(c echo.Context) error {
	return c.NoContent(http.StatusNoContent)
}
