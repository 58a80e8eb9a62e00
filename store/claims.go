package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Several instances may run on one store, each with its runners (the e-mail sender, the
// access jobs' runner). A runner claims an outbox row before working on it: the claim
// names the runner and lasts until its lease ends, renewed while the work goes on, so
// that each row is worked on by one runner at a time, and a dead runner's row goes to
// another once its lease has passed.

// NewClaimer returns a name for one runner's claims, unlike any other runner's.
func NewClaimer() string { return rand.Text() }

// claimable is the condition on a row that a runner may claim, with the arguments
// claimableArgs: unfinished, due, and not claimed by another runner whose lease runs.
const claimable = `sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
	AND (claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)`

func claimableArgs(now time.Time, by string) []any { return []any{micros(now), micros(now), by} }

// claimEmailQuery and claimJobQuery pick a row and claim it in one statement. On
// PostgreSQL the pick skips the rows other runners are claiming at that moment (FOR
// UPDATE SKIP LOCKED) instead of waiting for them; on SQLite one write runs at a time.
var claimEmailQuery = skipLocked(`UPDATE outbox SET claimed_until = ?, claimed_by = ?
	WHERE id = (SELECT id FROM outbox WHERE kind = 'email' AND ` + claimable + `
		ORDER BY next_attempt_at, id LIMIT 1 %s)
	RETURNING id, to_addr, reply_to, subject, text_body, html_body, created_at, attempts, next_attempt_at, last_error`)

var claimJobQuery = skipLocked(`UPDATE outbox SET claimed_until = ?, claimed_by = ?
	WHERE id = (SELECT id FROM outbox o WHERE kind != 'email' AND ` + claimable + `
		AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.kind != 'email' AND p.sent_at IS NULL AND p.failed_at IS NULL
			AND p.claimed_until > ? AND p.claimed_by != ? AND ` + jobRank("p") + ` < ` + jobRank("o") + `)
		ORDER BY ` + jobRank("o") + `, next_attempt_at, id LIMIT 1 %s)
	RETURNING id, kind, ref, attempts, next_attempt_at, last_error`)

// skipLocked is query, its %s left out on SQLite and FOR UPDATE SKIP LOCKED on PostgreSQL.
func skipLocked(query string) perDialect {
	return perDialect{sqlite: fmt.Sprintf(query, ""), postgres: fmt.Sprintf(query, "FOR UPDATE SKIP LOCKED")}
}

// ClaimEmail claims for runner by, until until, the e-mail due first that it may claim
// (see claimable), and returns it; ErrNotFound when there is none.
func (w WriteTx) ClaimEmail(ctx context.Context, now, until time.Time, by string) (Email, error) {
	var e Email
	var created, next int64
	err := w.tx.QueryRowContext(ctx, claimEmailQuery.of(w.Conn), append([]any{micros(until), by}, claimableArgs(now, by)...)...).
		Scan(&e.ID, &e.To, &e.ReplyTo, &e.Subject, &e.Text, &e.HTML, &created, &e.Attempts, &next, &e.LastError)
	if err != nil {
		return Email{}, notFound("claim email", err)
	}
	e.CreatedAt, e.NextAttemptAt = fromMicros(created), fromMicros(next)
	return e, nil
}

// ClaimJob claims for runner by, until until, the job other than an e-mail that it may
// claim and that comes first in jobOrder, then by due time, and returns it; ErrNotFound
// when there is none. A job waits while another runner works on one of an earlier kind,
// as it would behind a single runner: revocations before anything else, a database
// created before its members are granted.
func (w WriteTx) ClaimJob(ctx context.Context, now, until time.Time, by string) (Job, error) {
	var j Job
	var next int64
	args := append([]any{micros(until), by}, claimableArgs(now, by)...)
	err := w.tx.QueryRowContext(ctx, claimJobQuery.of(w.Conn), append(args, micros(now), by)...).
		Scan(&j.ID, &j.Kind, &j.Ref, &j.Attempts, &next, &j.LastError)
	if err != nil {
		return Job{}, notFound("claim job", err)
	}
	j.NextAttemptAt = fromMicros(next)
	return j, nil
}

// RenewClaim extends runner by's claim on outbox row id until until; ErrNotFound when by
// no longer holds it (the row is finished, or another runner took it).
func (w WriteTx) RenewClaim(ctx context.Context, id int64, by string, until time.Time) error {
	return w.changeStatus(ctx, "renew claim", `UPDATE outbox SET claimed_until = ?
		WHERE id = ? AND claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL`, micros(until), id, by)
}

// NextEmailLeaseEnd is when the first lease of another runner than by on an unfinished
// e-mail ends after now: what a runner that found nothing to claim waits for, unless
// woken. ErrNotFound when there is none.
func (c Conn) NextEmailLeaseEnd(ctx context.Context, now time.Time, by string) (time.Time, error) {
	return c.nextLeaseEnd(ctx, "next email lease end", `kind = 'email'`, now, by)
}

// NextJobLeaseEnd is NextEmailLeaseEnd for the jobs other than e-mails.
func (c Conn) NextJobLeaseEnd(ctx context.Context, now time.Time, by string) (time.Time, error) {
	return c.nextLeaseEnd(ctx, "next job lease end", `kind != 'email'`, now, by)
}

func (c Conn) nextLeaseEnd(ctx context.Context, what, kind string, now time.Time, by string) (time.Time, error) {
	var end sql.NullInt64
	err := c.q.QueryRowContext(ctx, `SELECT min(claimed_until) FROM outbox
		WHERE `+kind+` AND sent_at IS NULL AND failed_at IS NULL AND claimed_until > ? AND claimed_by != ?`,
		micros(now), by).Scan(&end)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: %s: %w", what, err)
	}
	if !end.Valid {
		return time.Time{}, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fromMicros(end.Int64), nil
}

// KeepClaim renews runner by's claim on outbox row id every third of lease, each time
// until now()+lease, until the returned stop is called: an attempt longer than the lease
// keeps its row, and the row of a runner that died goes to another within lease. A
// renewal that fails is reported to failed; the attempt goes on.
func (s *Store) KeepClaim(id int64, by string, lease time.Duration, now func() time.Time, failed func(error)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			ctx := context.Background()
			if err := s.Tx(ctx, func(tx WriteTx) error { return tx.RenewClaim(ctx, id, by, now().Add(lease)) }); err != nil {
				failed(err)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
