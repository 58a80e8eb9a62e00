package service

import (
	"context"
	"errors"
	"time"

	"dbcollab/store"
)

// A signed-in browser is a session row; its cookie holds a random ID of which only the
// hash is stored, so ending the row ends every copy of the cookie at once.
const (
	// DefaultSessionTTL is how long a session lasts without being used.
	DefaultSessionTTL = 30 * 24 * time.Hour
	// sessionTouchInterval is how stale a session's "last seen" may get: recording every
	// request would turn each page view into a write.
	sessionTouchInterval = 5 * time.Minute
	// sessionPrefix marks a session ID, so that it is never taken for another token.
	sessionPrefix = "s_"
)

// ErrSessionEnded answers a session cookie whose session was logged out or went idle.
var ErrSessionEnded = &Error{Kind: Unauthorized, Message: "This session has ended; log in again"}

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL <= 0 {
		return DefaultSessionTTL
	}
	return s.SessionTTL
}

// StartSession signs userID in from a browser whose User-Agent is userAgent, at
// clientAddr, and returns the session ID its cookie is to hold.
func (s *Service) StartSession(ctx context.Context, userID int64, userAgent, clientAddr string) (string, error) {
	var token string
	err := s.Store.Tx(ctx, func(tx store.WriteTx) (err error) {
		token, err = s.startSession(ctx, tx, userID, userAgent, clientAddr)
		return err
	})
	return token, err
}

// startSession is StartSession inside tx; the account's idle sessions go with it.
func (s *Service) startSession(ctx context.Context, tx store.WriteTx, userID int64, userAgent, clientAddr string) (string, error) {
	token, hash, err := newSecret(sessionPrefix)
	if err != nil {
		return "", err
	}
	now := s.now()
	if _, err := tx.DeleteIdleSessions(ctx, userID, now.Add(-s.sessionTTL())); err != nil {
		return "", err
	}
	return token, tx.InsertSession(ctx, &store.Session{UserID: userID, TokenHash: hash, Device: DeviceLabel(userAgent),
		ClientAddr: clientAddr, CreatedAt: now, LastSeenAt: now})
}

// SignedIn is a live session and its account. Touched says its "last seen" was just
// recorded, so that the cookie can be given a new expiry too. Viewed is, when
// SessionUserIn was asked about a database, the account's membership of it.
type SignedIn struct {
	Session store.Session
	User    store.User
	Touched bool
	Viewed  *Viewed
}

// Viewed is what Service.Membership would answer for the database named Ref, read with
// the session at the start of the request.
type Viewed struct {
	Ref        string
	Membership Membership
	Err        error
}

// SessionUser returns the session a cookie's ID names, and its account; a session
// logged out, idle for longer than the TTL, or never made is ErrSessionEnded. Its
// "last seen" is recorded at most every few minutes.
func (s *Service) SessionUser(ctx context.Context, token string) (SignedIn, error) {
	return s.signedIn(ctx, token, func(hash []byte) (SignedIn, error) {
		sess, user, err := s.Store.SessionByHash(ctx, hash)
		return SignedIn{Session: sess, User: user}, err
	})
}

// SessionUserIn is SessionUser for a page of the database ref (name or ID): the
// account's membership of it is read by the same query, into Viewed.
func (s *Service) SessionUserIn(ctx context.Context, token, ref string) (SignedIn, error) {
	return s.signedIn(ctx, token, func(hash []byte) (SignedIn, error) {
		sess, user, db, member, err := s.Store.SessionInDatabase(ctx, hash, ref)
		viewed := &Viewed{Ref: ref, Membership: Membership{db: db}}
		if !member {
			viewed.Err = ErrNotFound
		}
		return SignedIn{Session: sess, User: user, Viewed: viewed}, err
	})
}

// signedIn is SessionUser with the session (and what comes with it) read by read.
func (s *Service) signedIn(ctx context.Context, token string, read func(hash []byte) (SignedIn, error)) (SignedIn, error) {
	hash, ok := parseSecret(sessionPrefix, token)
	if !ok {
		return SignedIn{}, ErrSessionEnded
	}
	in, err := read(hash)
	if errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, ErrSessionEnded
	}
	if err != nil {
		return SignedIn{}, err
	}
	now := s.now()
	if !now.Before(in.Session.LastSeenAt.Add(s.sessionTTL())) {
		return SignedIn{}, ErrSessionEnded
	}
	if now.Sub(in.Session.LastSeenAt) >= sessionTouchInterval {
		if err := s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.TouchSession(ctx, in.Session.ID, now) }); err != nil {
			return SignedIn{}, err
		}
		in.Session.LastSeenAt, in.Touched = now, true
	}
	return in, nil
}

// EndSession logs out the session a cookie's ID names, if it is still open.
func (s *Service) EndSession(ctx context.Context, token string) error {
	hash, ok := parseSecret(sessionPrefix, token)
	if !ok {
		return nil
	}
	return s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.DeleteSessionByHash(ctx, hash) })
}

// Sessions lists userID's sessions, the most recently seen first.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]store.Session, error) {
	return s.Store.SessionsForUser(ctx, userID)
}

// EndSessionByID logs out userID's session id; someone else's is not found.
func (s *Service) EndSessionByID(ctx context.Context, userID, id int64) error {
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.DeleteSession(ctx, userID, id) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// EndOtherSessions logs out every session of userID but keepID, and says how many.
func (s *Service) EndOtherSessions(ctx context.Context, userID, keepID int64) (int64, error) {
	var n int64
	err := s.Store.Tx(ctx, func(tx store.WriteTx) (err error) {
		n, err = tx.DeleteOtherSessions(ctx, userID, keepID)
		return err
	})
	return n, err
}
