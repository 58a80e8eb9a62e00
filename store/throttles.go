package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The log-in, sign-up and password-reset throttles live here, so that every instance on
// the store counts the same failures. A key is the hash of what is counted; the rules
// (how many failures are free, how long each wait) are the service's.

// ThrottleCount is a key's failures in a row and when the last one was counted.
type ThrottleCount struct {
	Count int
	At    time.Time
}

// ThrottleCounts returns the count of each of keys, in their order, counting only those
// whose last failure is after since (the zero count otherwise).
func (c Conn) ThrottleCounts(ctx context.Context, keys [][]byte, since time.Time) ([]ThrottleCount, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT key, count, at FROM throttle_failures
		WHERE key IN (`+placeholders(len(keys))+`) AND at > ?`, append(keyArgs(keys), micros(since))...)
	if err != nil {
		return nil, fmt.Errorf("store: throttle counts: %w", err)
	}
	defer rows.Close()
	byKey := map[string]ThrottleCount{}
	for rows.Next() {
		var key []byte
		var count ThrottleCount
		var at int64
		if err := rows.Scan(&key, &count.Count, &at); err != nil {
			return nil, fmt.Errorf("store: throttle counts: %w", err)
		}
		count.At = fromMicros(at)
		byKey[string(key)] = count
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: throttle counts: %w", err)
	}
	counts := make([]ThrottleCount, len(keys))
	for i, k := range keys {
		counts[i] = byKey[string(k)]
	}
	return counts, nil
}

// CountThrottleFailures counts one more failure of each of keys at at, in one statement;
// a count whose last failure is not after forgetBefore starts again from one.
func (w WriteTx) CountThrottleFailures(ctx context.Context, keys [][]byte, at, forgetBefore time.Time) error {
	values := strings.TrimSuffix(strings.Repeat("(?, 1, ?), ", len(keys)), ", ")
	var args []any
	for _, k := range keys {
		args = append(args, k, micros(at))
	}
	_, err := w.tx.ExecContext(ctx, `INSERT INTO throttle_failures (key, count, at) VALUES `+values+`
		ON CONFLICT (key) DO UPDATE SET at = excluded.at,
			count = CASE WHEN throttle_failures.at <= ? THEN 1 ELSE throttle_failures.count + 1 END`,
		append(args, micros(forgetBefore))...)
	if err != nil {
		return fmt.Errorf("store: count throttle failures: %w", err)
	}
	return nil
}

// UndoThrottleFailures takes back one failure of each of keys: the attempt counted did
// not fail.
func (w WriteTx) UndoThrottleFailures(ctx context.Context, keys [][]byte) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE throttle_failures SET count = count - 1
		WHERE key IN (`+placeholders(len(keys))+`) AND count > 0`, keyArgs(keys)...)
	if err != nil {
		return fmt.Errorf("store: undo throttle failures: %w", err)
	}
	return nil
}

// ForgetThrottleFailures deletes key's count.
func (w WriteTx) ForgetThrottleFailures(ctx context.Context, key []byte) error {
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM throttle_failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: forget throttle failures: %w", err)
	}
	return nil
}

// RememberKnownClient notes at at that the client of key logged in.
func (w WriteTx) RememberKnownClient(ctx context.Context, key []byte, at time.Time) error {
	_, err := w.tx.ExecContext(ctx, `INSERT INTO throttle_known (key, at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET at = excluded.at`, key, micros(at))
	if err != nil {
		return fmt.Errorf("store: remember known client: %w", err)
	}
	return nil
}

// KnownClient reports whether the client of key was remembered after since.
func (c Conn) KnownClient(ctx context.Context, key []byte, since time.Time) (bool, error) {
	var n int
	err := c.q.QueryRowContext(ctx, `SELECT count(*) FROM throttle_known WHERE key = ? AND at > ?`, key, micros(since)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: known client: %w", err)
	}
	return n > 0, nil
}

// PurgeThrottles deletes the counts whose last failure is not after failuresBefore and
// the known clients not seen after knownBefore, then all but the newest maxCounts counts
// and maxKnown known clients; it says how many rows went.
func (w WriteTx) PurgeThrottles(ctx context.Context, failuresBefore, knownBefore time.Time, maxCounts, maxKnown int) (int64, error) {
	var purged int64
	for _, t := range []struct {
		table  string
		before time.Time
		max    int
	}{{"throttle_failures", failuresBefore, maxCounts}, {"throttle_known", knownBefore, maxKnown}} {
		res, err := w.tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE at <= ?`, micros(t.before))
		if err != nil {
			return purged, fmt.Errorf("store: purge throttles: %w", err)
		}
		n, _ := res.RowsAffected()
		purged += n
		var rows int
		if err := w.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table).Scan(&rows); err != nil {
			return purged, fmt.Errorf("store: purge throttles: %w", err)
		}
		if rows <= t.max {
			continue
		}
		res, err = w.tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE key NOT IN
			(SELECT key FROM `+t.table+` ORDER BY at DESC LIMIT ?)`, t.max)
		if err != nil {
			return purged, fmt.Errorf("store: purge throttles: %w", err)
		}
		n, _ = res.RowsAffected()
		purged += n
	}
	return purged, nil
}

// placeholders is n bind parameters, separated by commas.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func keyArgs(keys [][]byte) []any {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	return args
}
