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
// an SMTP outage delays e-mail but never loses it.
const (
	firstRetry = 2 * time.Second
	maxRetry   = 5 * time.Minute
	// deliveryTimeout bounds one attempt, including a slow server.
	deliveryTimeout = 30 * time.Second
)

// Sender delivers the outbox, oldest due first, one e-mail at a time.
type Sender struct {
	Store     *store.Store
	Deliverer Deliverer
	Log       *slog.Logger
	Now       func() time.Time
	wake      chan struct{}
}

// NewSender returns a sender of the store's outbox through d.
func NewSender(s *store.Store, d Deliverer, log *slog.Logger) *Sender {
	return &Sender{Store: s, Deliverer: d, Log: log, Now: time.Now, wake: make(chan struct{}, 1)}
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
func (s *Sender) Run(ctx context.Context) {
	for {
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

// idle is how long the sender sleeps with an empty outbox if nobody wakes it.
const idle = time.Minute

// deliverNext delivers the e-mail due first, if it is due, and says how long to wait
// before looking again (0: at once).
func (s *Sender) deliverNext() (time.Duration, error) {
	ctx := context.Background()
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
	sendCtx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	err = s.Deliverer.Deliver(sendCtx, e)
	cancel()
	if err != nil {
		retry := retryDelay(e.Attempts)
		s.Log.Warn("e-mail delivery failed", "email_id", e.ID, "attempt", e.Attempts+1, "retry_in", retry, "err", err)
		return 0, s.Store.MarkEmailFailed(ctx, e.ID, firstLine(err.Error()), s.Now().Add(retry))
	}
	s.Log.Info("e-mail delivered", "email_id", e.ID, "attempt", e.Attempts+1)
	return 0, s.Store.MarkEmailSent(ctx, e.ID, s.Now())
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
