package store

import (
	"context"
	"fmt"
	"time"
)

// Membership event types.
const (
	EventInvited  = "invited"
	EventResent   = "resent"
	EventAccepted = "accepted"
	EventExpired  = "expired"
	EventRevoked  = "revoked"
	EventLeft     = "left"
	// EventCancelled: a pending invitation ended because its inviter stopped
	// collaborating; the actor is that inviter.
	EventCancelled = "cancelled"
	// EventTransferred: the owner (the actor) made the target the owner.
	EventTransferred = "transferred"
)

// Event is one change of membership, recorded in the transaction of the change.
type Event struct {
	ID         int64
	DatabaseID string
	Type       string
	ActorID    int64 // 0 for events nobody did, such as an expiry, or whose actor's account was deleted
	// ActorName is the actor's username, or the address of an actor whose account was deleted.
	ActorName string
	Target    string // the e-mail address the event is about
	At        time.Time
}

// InsertEvent records e.
func (w WriteTx) InsertEvent(ctx context.Context, e Event) error {
	_, err := w.tx.ExecContext(ctx,
		`INSERT INTO events (database_id, type, actor_id, target, at) VALUES (?, ?, ?, ?, ?)`,
		e.DatabaseID, e.Type, nullID(e.ActorID), e.Target, micros(e.At))
	if err != nil {
		return fmt.Errorf("store: insert event: %w", err)
	}
	return nil
}

// eventRow is an event's columns packed in one (see packed): the Activity reads a page
// of them with every view of the tab afresh. The target, an address, comes last.
var eventRow = packed(`e.id`, `e.type`, `e.actor_id`, `coalesce(u.username, e.actor_email)`, `e.at`, `e.target`)

// Events lists a database's events newest first, limit at a time from offset.
func (c Conn) Events(ctx context.Context, databaseID string, limit, offset int) ([]Event, error) {
	rows, err := c.q.QueryContext(ctx, `
		SELECT `+eventRow+`
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.database_id = ?
		ORDER BY e.at DESC, e.id DESC
		LIMIT ? OFFSET ?`, databaseID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	list := make([]Event, 0, min(max(limit, 0), maxPrealloc))
	var column string
	for rows.Next() {
		if err := rows.Scan(&column); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		f := packedFields{rest: column}
		// DatabaseID not read: the tab shows a page of them.
		e := Event{DatabaseID: databaseID, ID: f.int(), Type: f.text(), ActorID: f.int(), ActorName: f.text(),
			At: f.time(), Target: f.last()}
		if f.err != nil {
			return nil, fmt.Errorf("store: events: %w", f.err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return list, nil
}

// CountInvitationsSince counts the invitations and resends of a database since t.
func (c Conn) CountInvitationsSince(ctx context.Context, databaseID string, t time.Time) (int, error) {
	var n int
	err := c.q.QueryRowContext(ctx, `
		SELECT count(*) FROM events
		WHERE database_id = ? AND type IN ('invited', 'resent') AND at > ?`, databaseID, micros(t)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count invitations: %w", err)
	}
	return n, nil
}

// CountInvitationsSentBy counts the invitations and resends an account sent since t,
// whatever the database.
func (c Conn) CountInvitationsSentBy(ctx context.Context, userID int64, t time.Time) (int, error) {
	var n int
	err := c.q.QueryRowContext(ctx, `
		SELECT count(*) FROM events
		WHERE actor_id = ? AND type IN ('invited', 'resent') AND at > ?`, userID, micros(t)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count invitations sent by: %w", err)
	}
	return n, nil
}

// CountInvitationsSentTo counts the invitations and resends e-mailed to an address since
// t, whatever the database.
func (c Conn) CountInvitationsSentTo(ctx context.Context, email string, t time.Time) (int, error) {
	var n int
	err := c.q.QueryRowContext(ctx, `
		SELECT count(*) FROM events
		WHERE target = ? AND type IN ('invited', 'resent') AND at > ?`, email, micros(t)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count invitations sent to: %w", err)
	}
	return n, nil
}
