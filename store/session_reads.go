package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// sessionReads answers, on PostgreSQL, the SessionInDatabase reads of concurrent
// requests with one query for all those waiting: every signed-in view of a database makes
// that read, and under load its round trip (two process wake-ups on each side) and
// PostgreSQL's work per statement are most of what a cached view costs. One query runs at
// a time; the requests that arrive meanwhile share the next. Each query starts after
// every read it answers was asked for, so it sees every write committed before any of
// them: an answer is as fresh as the read made alone.
type sessionReads struct {
	start, end sync.Once
	// queue is unbuffered: a read is either taken by the running loop, which then
	// answers it, or not queued at all.
	queue   chan *sessionRead
	stop    chan struct{}
	stopped chan struct{}
}

// sessionRead is one request's read, and where its answer goes.
type sessionRead struct {
	hash   []byte
	ref    string
	answer chan sessionInDatabase // buffered: the loop never waits for a reader gone
}

// maxSessionReads bounds the reads one query answers: more than the connections a
// server keeps busy, so that under any load one query a round trip suffices.
const maxSessionReads = 128

// sessionReadTimeout bounds one query, for every request it answers.
const sessionReadTimeout = 10 * time.Second

var errStoreClosed = errors.New("store: closed")

func newSessionReads() *sessionReads {
	return &sessionReads{queue: make(chan *sessionRead), stop: make(chan struct{}), stopped: make(chan struct{})}
}

// read asks for the session hashing to h, and its user's membership of the database
// named ref, and waits for the answer or for ctx to end.
func (r *sessionReads) read(ctx context.Context, s *Store, h []byte, ref string) sessionInDatabase {
	r.start.Do(func() { go r.loop(s) })
	one := &sessionRead{hash: h, ref: ref, answer: make(chan sessionInDatabase, 1)}
	select {
	case r.queue <- one:
	case <-r.stopped:
		return sessionInDatabase{err: fmt.Errorf("store: session in database: %w", errStoreClosed)}
	case <-ctx.Done():
		return sessionInDatabase{err: fmt.Errorf("store: session in database: %w", ctx.Err())}
	}
	select {
	case a := <-one.answer:
		return a
	case <-ctx.Done():
		return sessionInDatabase{err: fmt.Errorf("store: session in database: %w", ctx.Err())}
	}
}

// loop takes the reads waiting, answers them with one query, and again, until close.
func (r *sessionReads) loop(s *Store) {
	defer close(r.stopped)
	batch := make([]*sessionRead, 0, maxSessionReads)
	for {
		select {
		case one := <-r.queue:
			batch = append(batch[:0], one)
		case <-r.stop:
			return
		}
	waiting:
		for len(batch) < maxSessionReads {
			select {
			case one := <-r.queue:
				batch = append(batch, one)
			default:
				break waiting
			}
		}
		answerSessionReads(s, batch)
		clear(batch)
	}
}

// close stops the loop, once it has answered the reads it took.
func (r *sessionReads) close() {
	r.end.Do(func() {
		close(r.stop)
		r.start.Do(func() { close(r.stopped) }) // never started: nothing to wait for
		<-r.stopped
	})
}

// sessionReadsQuery answers reads in the order of its two arrays, the hashes and the
// refs: the columns of sessionInDatabaseColumns, then the read's position from 1. A
// read without a row names no session.
//
// It finds the database a ref names first (r), once a read, then the membership by the
// user's rows: a database's name never looks like an ID (no "_"), so a ref names at
// most one database. Looking the ref up for each of the user's memberships instead, as
// sessionInDatabaseQuery does for SQLite's planner, took twice the time for an owner of
// three databases, and grows with them.
const sessionReadsQuery = `SELECT ` + sessionInDatabaseColumns + `, q.n
		FROM unnest(?::bytea[], ?::text[]) WITH ORDINALITY AS q(hash, ref, n)
		JOIN sessions s ON s.token_hash = q.hash
		JOIN users u ON u.id = s.user_id
		LEFT JOIN databases r ON r.id = q.ref OR r.name = q.ref
		LEFT JOIN collaborators m ON m.user_id = s.user_id AND m.status IN ('owner', 'accepted') AND m.database_id = r.id
		LEFT JOIN databases d ON d.id = m.database_id
		LEFT JOIN users o ON o.id = d.owner_id`

// answerSessionReads runs one query for batch and sends each read its answer.
func answerSessionReads(s *Store, batch []*sessionRead) {
	hashes, refs := make([][]byte, len(batch)), make([]string, len(batch))
	for i, one := range batch {
		hashes[i], refs[i] = one.hash, one.ref
	}
	answers := make([]sessionInDatabase, len(batch))
	found := make([]bool, len(batch))
	err := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), sessionReadTimeout)
		defer cancel()
		rows, err := pooled{s}.QueryContext(ctx, sessionReadsQuery, hashes, refs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a sessionInDatabase
			var n int
			if a.session, a.err = scanSession(rows, append(a.fields(), &n)...); a.err != nil {
				return a.err
			}
			// One row a read; the position is checked all the same, and a second row
			// for a read would be ignored, as QueryRow ignores it.
			if i := n - 1; i >= 0 && i < len(batch) && !found[i] {
				a.scanned()
				answers[i], found[i] = a, true
			}
		}
		return rows.Err()
	}()
	for i, one := range batch {
		switch {
		case err != nil:
			answers[i] = sessionInDatabase{err: fmt.Errorf("store: session in database: %w", err)}
		case !found[i]:
			answers[i].err = sql.ErrNoRows
			answers[i].scanned()
		}
		one.answer <- answers[i]
	}
}
