package access

import (
	"context"
	"errors"
	"strings"
	"time"

	"dbcollab/store"
)

// Retry delays of a failed job: they double from firstRetry up to maxRetry, as the
// e-mail outbox's do. While the server cannot be reached the runner asks it every
// probeEvery whether it is back, and then makes every job due at once: an outage
// delays access changes by at most probeEvery after it ends.
const (
	firstRetry = time.Second
	maxRetry   = 5 * time.Minute
	probeEvery = time.Second
	// idle is how long the runner sleeps with nothing due if nobody wakes it.
	idle = 5 * time.Second
	// jobTimeout bounds one attempt.
	jobTimeout = 30 * time.Second
	// claimLease is how long a job stays with the runner that claimed it without a
	// renewal: the runner of an instance that died leaves its job to another for as long.
	claimLease = 15 * time.Second
)

// DefaultReconcileEvery is how often the reconciler runs unless configured otherwise.
const DefaultReconcileEvery = 5 * time.Minute

// Run applies the access jobs, due first and revocations before anything else, until
// ctx is done; it reconciles at start and every reconcileEvery (0: only at start).
// Several instances' runners may share one store: each claims the job it applies (see
// store.ClaimJob), so that every job is applied by one of them.
func (s *Server) Run(ctx context.Context, reconcileEvery time.Duration) {
	nextReconcile := s.Now()
	down := false
	for ctx.Err() == nil {
		if down {
			down = !s.backUp(ctx)
			if down {
				sleep(ctx, probeEvery, nil)
				continue
			}
		}
		if !s.Now().Before(nextReconcile) {
			if err := s.Reconcile(ctx); err != nil {
				s.log.Error("access reconcile", "err", err)
			}
			nextReconcile = s.Now().Add(reconcileEvery)
			if reconcileEvery <= 0 {
				nextReconcile = s.Now().Add(100 * 365 * 24 * time.Hour)
			}
		}
		wait, err := s.runNext(ctx)
		if err != nil {
			// The job waits for its retry; the others go on unless the server is down.
			down = ctx.Err() == nil && !s.reachable(ctx)
			continue
		}
		if wait > 0 {
			sleep(ctx, min(wait, nextReconcile.Sub(s.Now())), s.wake)
		}
	}
}

// sleep waits for d, ctx's end, or a wake.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-t.C:
	}
}

// reachable says whether the server answers.
func (s *Server) reachable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	return s.pool.Ping(ctx) == nil
}

// backUp says whether the server is back, and if so makes every job due.
func (s *Server) backUp(ctx context.Context) bool {
	if !s.reachable(ctx) {
		return false
	}
	s.log.Info("postgresql reachable again: retrying the access jobs now")
	err := s.store.Tx(ctx, func(tx store.WriteTx) error { return tx.RetryJobsNow(ctx, s.Now()) })
	if err != nil {
		s.log.Error("access jobs", "err", err)
	}
	return true
}

// runNext applies the job due first, if it is due, and says how long to wait before
// looking again (0: at once). An error is a failure of the job, recorded with its retry.
func (s *Server) runNext(ctx context.Context) (time.Duration, error) {
	j, err := s.store.NextDueJob(ctx, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return idle, nil
	}
	if err != nil {
		s.log.Error("access jobs", "err", err)
		return firstRetry, nil
	}
	if wait := j.NextAttemptAt.Sub(s.Now()); wait > 0 {
		return wait, nil
	}
	if j, err = s.claim(ctx); errors.Is(err, store.ErrNotFound) {
		return s.othersWork(ctx), nil
	} else if err != nil {
		s.log.Error("access jobs", "err", err)
		return firstRetry, nil
	}
	keep := s.store.KeepClaim(j.ID, s.claimer, claimLease, s.Now, func(err error) { s.log.Error("access jobs", "err", err) })
	jobCtx, cancel := context.WithTimeout(ctx, jobTimeout)
	var done func(context.Context, store.WriteTx) error
	err = s.holdingLock(jobCtx, true, func() (err error) {
		done, err = s.apply(jobCtx, j)
		return err
	})
	cancel()
	keep()
	if err != nil {
		s.failed(ctx, j, err)
		return 0, err
	}
	err = s.store.Tx(ctx, func(tx store.WriteTx) error {
		if err := done(ctx, tx); err != nil {
			return err
		}
		return tx.MarkJobDone(ctx, j.ID, s.Now())
	})
	if err != nil {
		s.log.Error("access jobs", "err", err)
		return firstRetry, nil
	}
	s.log.Info("access job done", "kind", j.Kind, "ref", j.Ref, "attempt", j.Attempts+1)
	return 0, nil
}

// claim claims the job to apply next that no other runner works on.
func (s *Server) claim(ctx context.Context) (j store.Job, err error) {
	now := s.Now()
	err = s.store.Tx(ctx, func(tx store.WriteTx) error {
		j, err = tx.ClaimJob(ctx, now, now.Add(claimLease), s.claimer)
		return err
	})
	return j, err
}

// othersWork is how long to wait when the due jobs are other runners' or wait for
// theirs: until the first of their claims ends, when that job is done or its runner died.
func (s *Server) othersWork(ctx context.Context) time.Duration {
	end, err := s.store.NextJobLeaseEnd(ctx, s.Now(), s.claimer)
	if errors.Is(err, store.ErrNotFound) {
		return 0 // finished meanwhile: look again
	}
	if err != nil {
		s.log.Error("access jobs", "err", err)
		return firstRetry
	}
	return min(end.Sub(s.Now()), idle)
}

// apply runs job j on the server and returns what to record in the store once it has.
func (s *Server) apply(ctx context.Context, j store.Job) (func(context.Context, store.WriteTx) error, error) {
	nothing := func(context.Context, store.WriteTx) error { return nil }
	switch j.Kind {
	case store.JobCreateDatabase:
		d, err := s.store.AccessDatabase(ctx, j.Ref)
		if errors.Is(err, store.ErrNotFound) {
			return nothing, nil // deleted since
		} else if err != nil {
			return nil, err
		}
		return nothing, s.ensureDatabase(ctx, d)
	case store.JobDropDatabase:
		name, group, _ := strings.Cut(j.Ref, " ")
		return nothing, s.dropDatabase(ctx, name, group)
	case store.JobGrantAccess:
		r, err := s.store.AccessRoleByName(ctx, j.Ref)
		if errors.Is(err, store.ErrNotFound) || err == nil && r.State == store.AccessRevoking {
			return nothing, nil // revoked since: its revocation does the rest
		} else if err != nil {
			return nil, err
		}
		if err := s.grant(ctx, r); err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx store.WriteTx) error { return s.granted(ctx, tx, r.RoleName) }, nil
	case store.JobRevokeAccess:
		r, err := s.store.AccessRoleByName(ctx, j.Ref)
		if errors.Is(err, store.ErrNotFound) {
			return nothing, s.dropRole(ctx, j.Ref, "", "")
		} else if err != nil {
			return nil, err
		}
		if r.State != store.AccessRevoking {
			return nothing, nil
		}
		if err := s.dropRole(ctx, r.RoleName, r.PgName, r.GroupRole); err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx store.WriteTx) error { return tx.DeleteAccessRole(ctx, r.RoleName) }, nil
	}
	return nothing, nil
}

// granted records that role name exists on the server, unless it was revoked meanwhile.
func (s *Server) granted(ctx context.Context, tx store.WriteTx, name string) error {
	r, err := tx.AccessRoleByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && r.State != store.AccessGranting {
		return nil
	} else if err != nil {
		return err
	}
	return tx.SetAccessRoleState(ctx, name, store.AccessActive)
}

// failed records a failed attempt at j, on the job and on the role it is about.
func (s *Server) failed(ctx context.Context, j store.Job, err error) {
	retry := retryDelay(j.Attempts)
	reason := firstLine(err.Error())
	s.log.Warn("access job failed", "kind", j.Kind, "ref", j.Ref, "attempt", j.Attempts+1, "retry_in", retry, "err", err)
	err = s.store.Tx(ctx, func(tx store.WriteTx) error {
		if j.Kind == store.JobGrantAccess || j.Kind == store.JobRevokeAccess {
			if err := tx.RecordAccessRoleFailure(ctx, j.Ref, reason); err != nil {
				return err
			}
		}
		return tx.MarkJobFailed(ctx, j.ID, reason, s.Now().Add(retry))
	})
	if err != nil {
		s.log.Error("access jobs", "err", err)
	}
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
