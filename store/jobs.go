package store

import (
	"context"
	"fmt"
	"time"
)

// Job kinds. The outbox table is the one job queue: e-mails (kind "email", Email and
// its methods) and the jobs that bring the PostgreSQL server to what the store wants.
const (
	JobCreateDatabase = "create_database"
	JobDropDatabase   = "drop_database"
	JobGrantAccess    = "grant_access"
	JobRevokeAccess   = "revoke_access"
)

// Job is one queued job other than an e-mail. Ref names what it works on: a role name
// for grants and revocations, a database ID to create, a PostgreSQL database name and
// its group role, separated by a space, to drop.
type Job struct {
	ID            int64
	Kind          string
	Ref           string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
}

// EnqueueJob adds a job of kind on ref, due at.
func (w WriteTx) EnqueueJob(ctx context.Context, kind, ref string, at time.Time) error {
	_, err := w.tx.ExecContext(ctx, `
		INSERT INTO outbox (kind, ref, to_addr, subject, text_body, html_body, created_at, next_attempt_at)
		VALUES (?, ?, '', '', '', '', ?, ?)`, kind, ref, micros(at), micros(at))
	if err != nil {
		return fmt.Errorf("store: enqueue %s job: %w", kind, err)
	}
	return nil
}

// jobRank orders the jobs of table by kind: when a backlog drains, access is taken away
// before any is given, and a database exists before its members are granted.
func jobRank(table string) string {
	return `CASE ` + table + `.kind WHEN 'revoke_access' THEN 0 WHEN 'drop_database' THEN 1 WHEN 'create_database' THEN 2 ELSE 3 END`
}

// NextDueJob returns the unfinished job, other than an e-mail, that is due first
// (revocations before anything else among those due by now), or ErrNotFound. Its
// NextAttemptAt may lie in the future: the runner waits for it.
func (c Conn) NextDueJob(ctx context.Context, now time.Time) (Job, error) {
	var j Job
	var next int64
	err := c.q.QueryRowContext(ctx, `
		SELECT id, kind, ref, attempts, next_attempt_at, last_error FROM outbox
		WHERE kind != 'email' AND sent_at IS NULL AND failed_at IS NULL
		ORDER BY next_attempt_at > ?, `+jobRank("outbox")+`, next_attempt_at, id LIMIT 1`, micros(now)).
		Scan(&j.ID, &j.Kind, &j.Ref, &j.Attempts, &next, &j.LastError)
	if err != nil {
		return Job{}, notFound("next due job", err)
	}
	j.NextAttemptAt = fromMicros(next)
	return j, nil
}

// MarkJobDone records that job id is done. Like every mark of an outbox row, it ends the
// row's claim.
func (w WriteTx) MarkJobDone(ctx context.Context, id int64, at time.Time) error {
	return w.changeStatus(ctx, "mark job done",
		`UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = '', claimed_until = NULL WHERE id = ? AND sent_at IS NULL`,
		micros(at), id)
}

// MarkJobFailed records a failed attempt at job id and when to try again.
func (w WriteTx) MarkJobFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	return w.changeStatus(ctx, "mark job failed",
		`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = NULL WHERE id = ? AND sent_at IS NULL`,
		reason, micros(retryAt), id)
}

// RetryJobsNow makes every unfinished job other than an e-mail due at now.
func (w WriteTx) RetryJobsNow(ctx context.Context, now time.Time) error {
	_, err := w.tx.ExecContext(ctx,
		`UPDATE outbox SET next_attempt_at = ? WHERE kind != 'email' AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > ?`,
		micros(now), micros(now))
	if err != nil {
		return fmt.Errorf("store: retry jobs now: %w", err)
	}
	return nil
}
