// Package service holds dbcollab's rules: who may list, invite, revoke and leave, and
// how accounts, databases and invitations behave. The dashboard and the JSON API both
// call it; every check runs inside the transaction of the write it guards.
package service

import (
	"sync"
	"time"

	"dbcollab/store"
)

// Service applies the rules over a Store.
type Service struct {
	Store *store.Store
	// BaseURL is where the dashboard is reached, for links in e-mails (no trailing slash).
	BaseURL string
	// PasswordCost is the bcrypt cost of new password hashes.
	PasswordCost int
	// Now is the clock; tests replace it.
	Now func() time.Time
	// EmailQueued is called after a commit that put e-mail in the outbox, to wake the sender.
	EmailQueued func()
	// Postgres is the attached PostgreSQL server; nil when none is.
	Postgres Postgres
	// AccessJobsQueued is called after a commit that queued access jobs, to wake their runner.
	AccessJobsQueued func()
	// InviteTTL is how long an invitation link works after it was last sent.
	InviteTTL time.Duration
	// InviteLimit caps the invitations and resends of one database per rolling 24
	// hours; 0 means no limit.
	InviteLimit int
	// InviteLimitPerInviter caps the invitations and resends one account sends, and
	// InviteLimitPerRecipient those one address receives, per rolling 24 hours across
	// every database; 0 means no limit.
	InviteLimitPerInviter, InviteLimitPerRecipient int

	// SessionTTL is how long a dashboard session lasts without being used (0: the default).
	SessionTTL time.Duration

	// AccessTokenKey signs the access tokens of the token exchange (HS256); derived from
	// the server secret. Empty: a random key for the life of the process.
	AccessTokenKey []byte

	// accessKey is the key in use (see accessTokenKey).
	accessKeyOnce sync.Once
	accessKey     []byte
}

// DefaultInviteTTL is how long an invitation link works unless configured otherwise.
const DefaultInviteTTL = 7 * 24 * time.Hour

// DefaultInviteLimit is the number of invitations a database may send per 24 hours
// unless configured otherwise.
const DefaultInviteLimit = 50

// Default limits of the invitation e-mails one account sends and one address receives
// per 24 hours, across every database.
const (
	DefaultInviteLimitPerInviter   = 100
	DefaultInviteLimitPerRecipient = 5
)

func (s *Service) inviteTTL() time.Duration {
	if s.InviteTTL <= 0 {
		return DefaultInviteTTL
	}
	return s.InviteTTL
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) emailQueued() {
	if s.EmailQueued != nil {
		s.EmailQueued()
	}
}
