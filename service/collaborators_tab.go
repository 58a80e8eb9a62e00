package service

import (
	"context"
	"time"

	"dbcollab/store"
)

// CollaboratorsTab is what Settings → Collaborators shows.
type CollaboratorsTab struct {
	Database store.Database
	// Rows are the page of live rows Query chooses, owner first, as people see them
	// (expired links show as such); Total is how many Query chooses on all its pages.
	Rows  []store.Collaborator
	Query RowQuery
	Total int
	// Events is the page of Activity asked for, newest first; MoreEvents says an older
	// page follows.
	Events     []store.Event
	MoreEvents bool
}

// CollaboratorsTab returns the database ref with its live rows and page (from 1) of its
// Activity, if userID is a member. It is Collaborators and Events with one membership
// check for both, made afresh on every call.
func (s *Service) CollaboratorsTab(ctx context.Context, userID int64, ref string, page int) (CollaboratorsTab, error) {
	m, err := s.Membership(ctx, userID, ref)
	if err != nil {
		return CollaboratorsTab{}, err
	}
	return s.CollaboratorsTabOf(ctx, m, page)
}

// Membership is a database as one of its members saw it when Service.Membership checked,
// the only maker of one: it carries its Version, which moves with every change its tab
// shows, so that a tab made for a version is current while the version is.
type Membership struct{ db store.Database }

// Database is the database, with its Version as of the check.
func (m Membership) Database() store.Database { return m.db }

// Membership checks, in one query, that userID is a member of the database ref (name
// or ID) and reads its version; ErrNotFound otherwise.
func (s *Service) Membership(ctx context.Context, userID int64, ref string) (Membership, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	return Membership{db: db}, err
}

// CollaboratorsTabOf is CollaboratorsTab for a membership checked already; what it reads
// is at least as recent as the membership's Version.
func (s *Service) CollaboratorsTabOf(ctx context.Context, m Membership, page int) (CollaboratorsTab, error) {
	return s.CollaboratorsTabFor(ctx, m, RowQuery{Page: 1, PerPage: RowsPerPage}, page)
}

// CollaboratorsTabFor is CollaboratorsTabOf with the rows that q chooses.
func (s *Service) CollaboratorsTabFor(ctx context.Context, m Membership, q RowQuery, page int) (CollaboratorsTab, error) {
	rows, total, err := s.rowsPage(ctx, m.db, q)
	if err != nil {
		return CollaboratorsTab{}, err
	}
	events, more, err := s.eventsPage(ctx, m.db, page)
	if err != nil {
		return CollaboratorsTab{}, err
	}
	return CollaboratorsTab{Database: m.db, Rows: rows, Query: q, Total: total, Events: events, MoreEvents: more}, nil
}

// Time is the service's clock: the one statuses such as "expired" are judged by.
func (s *Service) Time() time.Time { return s.now() }
