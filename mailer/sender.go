package mailer

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"dbcollab/store"
)

// Deliverer hands one e-mail to the outside world.
type Deliverer interface {
	Deliver(ctx context.Context, e store.Email) error
}

// Retry delays: the first retry comes within seconds, later ones double up to a cap, so
// an SMTP outage delays e-mail but never loses it. After an outage of d (under the cap)
// the next attempt comes at most d + firstRetry after the server is back.
const (
	firstRetry = 2 * time.Second
	maxRetry   = 5 * time.Minute
	// deliveryTimeout bounds one attempt, including a slow server.
	deliveryTimeout = 30 * time.Second
	// claimLease is how long an e-mail stays with the sender that claimed it without a
	// renewal: the sender of an instance that died leaves its e-mail to another for as long.
	claimLease = 15 * time.Second
)

// DefaultRetention is how long finished e-mails are kept by default: long enough for
// the dashboard to say an invitation was delivered until it expires.
const DefaultRetention = 30 * 24 * time.Hour

// Sender delivers the outbox, oldest due first, one e-mail at a time. Several senders,
// one per instance, may deliver one outbox: each claims the e-mail it delivers (see
// store.ClaimEmail), so that every e-mail is delivered by one of them.
//
// Each e-mail has its own retry delays, but while the server is unreachable the sender
// tries one e-mail per delay, not each queued one, and the first delivery that succeeds
// afterwards makes every failed e-mail due at once: the queue leaves together when the
// server is back, without hammering it while it is down.
//
// An e-mail is sent once, except the one a crash (or a failing store) interrupts
// between the server's acceptance and its record in the outbox: that one is sent again
// after the restart, or by another instance once its claim has lapsed, with the same
// Message-ID. Losing it instead would be worse, and no SMTP client can
// tell an accepted message whose answer it never read from a refused one.
type Sender struct {
	Store     *store.Store
	Deliverer Deliverer
	Log       *slog.Logger
	Now       func() time.Time
	// Retention is how long delivered and refused e-mails are kept (without their
	// bodies) before they are deleted; 0 keeps them.
	Retention time.Duration
	wake      chan struct{}
	// claimer names this sender's claims.
	claimer string
	// nextSweep is when finished e-mails are next purged.
	nextSweep time.Time

	// unreachable counts the attempts in a row that could not reach the server;
	// nothing is tried before pausedUntil.
	unreachable int
	pausedUntil time.Time
	// releaseFailed: the next success makes the failed e-mails due at once.
	releaseFailed bool
}

// NewSender returns a sender of the store's outbox through d.
func NewSender(s *store.Store, d Deliverer, log *slog.Logger) *Sender {
	return &Sender{Store: s, Deliverer: d, Log: log, Now: time.Now, wake: make(chan struct{}, 1), claimer: store.NewClaimer()}
}

// Wake tells the sender that e-mail was queued. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done. An e-mail being delivered when ctx ends is finished
// (within deliveryTimeout) and recorded before Run returns.
//
// It starts with every failed e-mail due: a restart is a retry, and an outage that
// began before it may be over.
func (s *Sender) Run(ctx context.Context) {
	s.retryFailedNow(context.Background())
	for {
		s.sweepIfDue(context.Background())
		wait, err := s.deliverNext()
		if err != nil {
			s.Log.Error("outbox", "err", err)
			wait = firstRetry
		}
		if wait == 0 {
			if ctx.Err() != nil {
				return
			}
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// sweepEvery is how often finished e-mails older than Retention are purged and the WAL
// is emptied into the file, where secure_delete has zeroed the bodies cleared since.
const sweepEvery = 10 * time.Minute

// sweepIfDue purges the finished e-mails past their retention, and checkpoints the WAL,
// at most once per sweepEvery.
func (s *Sender) sweepIfDue(ctx context.Context) {
	now := s.Now()
	if now.Before(s.nextSweep) {
		return
	}
	s.nextSweep = now.Add(sweepEvery)
	if s.Retention > 0 {
		var n int64
		err := s.Store.Tx(ctx, func(tx store.WriteTx) (err error) {
			n, err = tx.PurgeFinishedEmails(ctx, now.Add(-s.Retention))
			return err
		})
		if err != nil {
			s.Log.Error("outbox", "err", err)
		} else if n > 0 {
			s.Log.Info("finished e-mails purged", "count", n)
		}
	}
	if err := s.Store.Checkpoint(ctx); err != nil {
		s.Log.Error("outbox", "err", err)
	}
}

// idle is how long the sender sleeps with an empty outbox if nobody wakes it.
const idle = time.Minute

// deliverNext delivers the e-mail due first, if it is due, and says how long to wait
// before looking again (0: at once).
func (s *Sender) deliverNext() (time.Duration, error) {
	if wait := s.pausedUntil.Sub(s.Now()); wait > 0 {
		return wait, nil
	}
	ctx := context.Background()
	// Looking first, outside a transaction, spares the writer lock while nothing is due.
	e, err := s.Store.NextDueEmail(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return idle, nil
	}
	if err != nil {
		return 0, err
	}
	if wait := e.NextAttemptAt.Sub(s.Now()); wait > 0 {
		return wait, nil
	}
	if e, err = s.claim(ctx); errors.Is(err, store.ErrNotFound) {
		return s.othersWork(ctx)
	} else if err != nil {
		return 0, err
	}
	keep := s.Store.KeepClaim(e.ID, s.claimer, claimLease, s.Now, func(err error) { s.Log.Error("outbox", "err", err) })
	sendCtx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	err = s.Deliverer.Deliver(sendCtx, e)
	cancel()
	keep()
	if err != nil {
		return 0, s.failed(ctx, e, err)
	}
	// The record before anything else: until it is committed, a crash sends it again.
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error { return tx.MarkEmailSent(ctx, e.ID, s.Now()) })
	if err != nil {
		return 0, err
	}
	s.Log.Info("e-mail delivered", "email_id", e.ID, "attempt", e.Attempts+1)
	s.unreachable, s.pausedUntil = 0, time.Time{}
	if s.releaseFailed {
		s.releaseFailed = !s.retryFailedNow(ctx)
	}
	return 0, nil
}

// claim claims the e-mail due first that no other sender works on.
func (s *Sender) claim(ctx context.Context) (e store.Email, err error) {
	now := s.Now()
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		e, err = tx.ClaimEmail(ctx, now, now.Add(claimLease), s.claimer)
		return err
	})
	return e, err
}

// othersWork is how long to wait when every due e-mail is another sender's: until the
// first of their claims ends, when that e-mail is sent or its sender died.
func (s *Sender) othersWork(ctx context.Context) (time.Duration, error) {
	end, err := s.Store.NextEmailLeaseEnd(ctx, s.Now(), s.claimer)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil // finished meanwhile: look again
	}
	if err != nil {
		return 0, err
	}
	return min(end.Sub(s.Now()), idle), nil
}

// retryFailedNow makes every failed e-mail due at once, and says whether it could.
func (s *Sender) retryFailedNow(ctx context.Context) bool {
	var n int64
	err := s.Store.Tx(ctx, func(tx store.WriteTx) (err error) {
		n, err = tx.RetryFailedEmailsNow(ctx, s.Now())
		return err
	})
	if err != nil {
		s.Log.Error("outbox", "err", err)
		return false
	}
	if n > 0 {
		s.Log.Info("retrying the failed e-mails now", "count", n)
	}
	return true
}

// failed records a failed attempt at e and, when the server could not be reached at
// all, pauses the sender for as long as e waits. A refusal for good is not retried.
func (s *Sender) failed(ctx context.Context, e store.Email, err error) error {
	if errors.Is(err, ErrRefused) {
		s.Log.Warn("e-mail refused for good", "email_id", e.ID, "attempt", e.Attempts+1, "err", err)
		return s.Store.Tx(ctx, func(tx store.WriteTx) error {
			return tx.MarkEmailRefused(ctx, e.ID, firstLine(err.Error()), s.Now())
		})
	}
	retry := retryDelay(e.Attempts)
	if errors.Is(err, ErrUnreachable) {
		retry = max(retry, retryDelay(s.unreachable))
		s.unreachable++
		s.pausedUntil = s.Now().Add(retry)
		s.releaseFailed = true
	}
	s.Log.Warn("e-mail delivery failed", "email_id", e.ID, "attempt", e.Attempts+1, "retry_in", retry, "err", err)
	return s.Store.Tx(ctx, func(tx store.WriteTx) error {
		return tx.MarkEmailFailed(ctx, e.ID, firstLine(err.Error()), s.Now().Add(retry))
	})
}

func retryDelay(attempts int) time.Duration {
	d := firstRetry
	for range attempts {
		d *= 2
		if d >= maxRetry {
			return maxRetry
		}
	}
	return d
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
