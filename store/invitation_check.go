package store

import (
	"context"
	"fmt"
	"time"
)

// InvitationCheck is what the rules of an invitation read before it is stored.
type InvitationCheck struct {
	// Database is the database, as DatabaseForMember gives it to the inviter.
	Database Database
	// Inviter is the inviter's account.
	Inviter User
	// LiveStatus is the status of the address's live row on the database; "" if none.
	LiveStatus string
	// Sent counts the invitations and resends since the time asked, those Counted asks
	// for (0 for the others).
	Sent Sent
}

// Sent counts invitations and resends: of a database, by an account, to an address.
type Sent struct{ InDatabase, ByInviter, ToAddress int }

// Counted says which of Sent's counts to make; a count not made costs nothing.
type Counted struct{ InDatabase, ByInviter, ToAddress bool }

// CheckInvitation reads, in one query, what an invitation of email to the database ref
// by inviterID is checked against: ErrNotFound unless the inviter is its owner or an
// accepted collaborator. The counts are CountInvitationsSince, CountInvitationsSentBy
// and CountInvitationsSentTo since since.
func (c Conn) CheckInvitation(ctx context.Context, ref string, inviterID int64, email string, since time.Time, counted Counted) (InvitationCheck, error) {
	if c.unnameable(ref) {
		return InvitationCheck{}, fmt.Errorf("store: check invitation: %w", ErrNotFound)
	}
	var d databaseDest
	var inviter userDest
	var check InvitationCheck
	at := micros(since)
	err := c.q.QueryRowContext(ctx, `
		SELECT `+databaseColumns+`,
			me.id, me.email, me.username, me.password_hash, me.created_at, me.verified_at, me.confirm_hash, me.confirm_sent_at,
			coalesce((SELECT l.status FROM collaborators l
				WHERE l.database_id = d.id AND l.email = ? AND l.status IN ('owner', 'pending', 'accepted')), ''),
			CASE WHEN ? THEN (SELECT count(*) FROM events
				WHERE database_id = d.id AND type IN ('invited', 'resent') AND at > ?) ELSE 0 END,
			CASE WHEN ? THEN (SELECT count(*) FROM events
				WHERE actor_id = me.id AND type IN ('invited', 'resent') AND at > ?) ELSE 0 END,
			CASE WHEN ? THEN (SELECT count(*) FROM events
				WHERE target = ? AND type IN ('invited', 'resent') AND at > ?) ELSE 0 END
		FROM databases d
		JOIN users o ON o.id = d.owner_id
		JOIN collaborators m ON m.database_id = d.id
		JOIN users me ON me.id = m.user_id
		WHERE (d.id = ? OR d.name = ?) AND m.user_id = ? AND m.status IN ('owner', 'accepted')`,
		email, counted.InDatabase, at, counted.ByInviter, at, counted.ToAddress, email, at, ref, ref, inviterID).
		Scan(append(append(d.fields(), inviter.fields()...),
			&check.LiveStatus, &check.Sent.InDatabase, &check.Sent.ByInviter, &check.Sent.ToAddress)...)
	if err != nil {
		return InvitationCheck{}, notFound("check invitation", err)
	}
	check.Database, check.Inviter = d.database(), inviter.user()
	return check, nil
}
