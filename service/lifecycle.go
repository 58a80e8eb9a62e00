package service

import (
	"context"
	"errors"
	"math"
	"time"

	"dbcollab/store"
)

// inviteLimitWindow is the rolling window of the invitation limit.
const inviteLimitWindow = 24 * time.Hour

// expiresAt is when the current link of pending row m stops working.
func (s *Service) expiresAt(m store.Collaborator) time.Time {
	return m.SentAt.Add(s.inviteTTL())
}

// displayStatus is m's status as people see it: a pending row past its expiry is expired.
func (s *Service) displayStatus(m store.Collaborator, now time.Time) string {
	if m.Status == store.StatusPending && !now.Before(s.expiresAt(m)) {
		return store.StatusExpired
	}
	return m.Status
}

// RecordExpiries records an "expired" event, dated when the link expired, for each
// invitation that expired since the last call. The server calls it periodically; every
// instance on a store does, and each expiry is recorded once.
func (s *Service) RecordExpiries(ctx context.Context) (int, error) {
	// Most sweeps find nothing: looking first, outside a transaction, spares the writer lock.
	if due, err := s.Store.UnrecordedExpiries(ctx, s.now().Add(-s.inviteTTL())); err != nil || len(due) == 0 {
		return 0, err
	}
	var n int
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		expired, err := tx.UnrecordedExpiries(ctx, s.now().Add(-s.inviteTTL()))
		if err != nil {
			return err
		}
		for _, m := range expired {
			// The mark first, guarded: an expiry another instance's sweep recorded since
			// this one read the list is skipped, not recorded twice.
			at := s.expiresAt(m)
			if err := tx.MarkExpiryRecorded(ctx, m.ID, at); errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, store.Event{DatabaseID: m.DatabaseID, Type: store.EventExpired, Target: m.Email, At: at}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// EventsPerPage is how many events a page of Activity shows.
const EventsPerPage = 25

// Events returns page (from 1) of a database's membership events, newest first, and
// whether an older page exists. Members only.
func (s *Service) Events(ctx context.Context, userID int64, ref string, page int) (store.Database, []store.Event, bool, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	if err != nil {
		return store.Database{}, nil, false, err
	}
	events, more, err := s.eventsPage(ctx, db, page)
	if err != nil {
		return store.Database{}, nil, false, err
	}
	return db, events, more, nil
}

// eventsPage is Events for db, a database the caller may see.
func (s *Service) eventsPage(ctx context.Context, db store.Database, page int) ([]store.Event, bool, error) {
	if page < 1 {
		page = 1
	}
	// A page this far cannot exist, and its offset would overflow.
	if page > math.MaxInt32 {
		return nil, false, nil
	}
	// One more than a page tells whether another page follows.
	events, err := s.Store.Events(ctx, db.ID, EventsPerPage+1, (page-1)*EventsPerPage)
	if err != nil {
		return nil, false, err
	}
	more := len(events) > EventsPerPage
	if more {
		events = events[:EventsPerPage]
	}
	return events, more, nil
}
