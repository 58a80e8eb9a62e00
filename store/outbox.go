package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Email is one message in the outbox, the job queue's jobs of kind 'email' (jobs.go),
// written in the same transaction as the change that sends it, so that a change is
// never committed without its e-mail nor the reverse.
type Email struct {
	ID int64
	To string
	// ReplyTo is where a reply goes, if not to the sender.
	ReplyTo       string
	Subject       string
	Text          string
	HTML          string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        time.Time
	// FailedAt is when the server refused the e-mail for good; it is not retried.
	FailedAt time.Time
}

// EnqueueEmail adds e to the outbox, due at once.
func (w WriteTx) EnqueueEmail(ctx context.Context, e *Email) error {
	err := w.tx.QueryRowContext(ctx, `
		INSERT INTO outbox (to_addr, reply_to, subject, text_body, html_body, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.To, e.ReplyTo, e.Subject, e.Text, e.HTML, micros(e.CreatedAt), micros(e.CreatedAt)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: enqueue email: %w", err)
	}
	return nil
}

// NextDueEmail returns the unsent e-mail that is due first, or ErrNotFound when the
// outbox is empty. Its NextAttemptAt may lie in the future: the sender waits for it.
func (c Conn) NextDueEmail(ctx context.Context) (Email, error) {
	var e Email
	var created, next int64
	var sent sql.NullInt64
	err := c.q.QueryRowContext(ctx, `
		SELECT id, to_addr, reply_to, subject, text_body, html_body, created_at, attempts, next_attempt_at, last_error, sent_at
		FROM outbox WHERE kind = 'email' AND sent_at IS NULL AND failed_at IS NULL ORDER BY next_attempt_at, id LIMIT 1`).
		Scan(&e.ID, &e.To, &e.ReplyTo, &e.Subject, &e.Text, &e.HTML, &created, &e.Attempts, &next, &e.LastError, &sent)
	if err != nil {
		return Email{}, notFound("next due email", err)
	}
	e.CreatedAt, e.NextAttemptAt, e.SentAt = fromMicros(created), fromMicros(next), fromNullMicros(sent)
	return e, nil
}

// MarkEmailSent records that e-mail id was delivered, and clears its bodies: the row
// keeps what its delivery state needs, and a copy of the file no link.
func (w WriteTx) MarkEmailSent(ctx context.Context, id int64, at time.Time) error {
	return w.changeStatus(ctx, "mark email sent",
		`UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = '', text_body = '', html_body = '', claimed_until = NULL
		WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL`,
		micros(at), id)
}

// MarkEmailFailed records a failed attempt and when to try again.
func (w WriteTx) MarkEmailFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	return w.changeStatus(ctx, "mark email failed",
		`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = NULL
		WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL`,
		reason, micros(retryAt), id)
}

// MarkEmailRefused records that the server refused e-mail id for good: it is not tried
// again, and its bodies are cleared like a delivered one's.
func (w WriteTx) MarkEmailRefused(ctx context.Context, id int64, reason string, at time.Time) error {
	return w.changeStatus(ctx, "mark email refused",
		`UPDATE outbox SET failed_at = ?, attempts = attempts + 1, last_error = ?, text_body = '', html_body = '', claimed_until = NULL
		WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL`,
		micros(at), reason, id)
}

// PurgeFinishedEmails deletes the e-mails delivered or refused before cutoff, and says
// how many. An invitation whose e-mail goes no longer reports its delivery state.
func (w WriteTx) PurgeFinishedEmails(ctx context.Context, cutoff time.Time) (int64, error) {
	if _, err := w.tx.ExecContext(ctx, `UPDATE collaborators SET email_id = NULL WHERE email_id IN
		(SELECT id FROM outbox WHERE coalesce(sent_at, failed_at) < ?)`,
		micros(cutoff)); err != nil {
		return 0, fmt.Errorf("store: purge finished emails: %w", err)
	}
	res, err := w.tx.ExecContext(ctx, `DELETE FROM outbox WHERE coalesce(sent_at, failed_at) < ?`, micros(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: purge finished emails: %w", err)
	}
	return res.RowsAffected()
}

// RetryFailedEmailsNow makes every unsent e-mail that failed before and waits for a
// later retry due at now, and says how many there were: once the server is back, there
// is no reason to wait out their delays.
func (w WriteTx) RetryFailedEmailsNow(ctx context.Context, now time.Time) (int64, error) {
	res, err := w.tx.ExecContext(ctx,
		`UPDATE outbox SET next_attempt_at = ? WHERE kind = 'email' AND sent_at IS NULL AND failed_at IS NULL AND attempts > 0 AND next_attempt_at > ?`,
		micros(now), micros(now))
	if err != nil {
		return 0, fmt.Errorf("store: retry failed emails now: %w", err)
	}
	return res.RowsAffected()
}
