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
	args := []any{email}
	for _, asked := range []bool{counted.InDatabase, counted.ByInviter} {
		if asked {
			args = append(args, at)
		}
	}
	if counted.ToAddress {
		args = append(args, email, at)
	}
	err := c.q.QueryRowContext(ctx, `
		SELECT `+databaseColumns+`,
			me.id, me.email, me.username, me.password_hash, me.created_at, me.verified_at, me.confirm_hash, me.confirm_sent_at,
			coalesce((SELECT l.status FROM collaborators l
				WHERE l.database_id = d.id AND l.email = ? AND l.status IN ('owner', 'pending', 'accepted')), ''),
			`+sentCount(counted.InDatabase, `database_id = d.id`)+`,
			`+sentCount(counted.ByInviter, `actor_id = me.id`)+`,
			`+sentCount(counted.ToAddress, `target = ?`)+`
		FROM databases d
		JOIN users o ON o.id = d.owner_id
		JOIN collaborators m ON m.database_id = d.id
		JOIN users me ON me.id = m.user_id
		WHERE (d.id = ? OR d.name = ?) AND m.user_id = ? AND m.status IN ('owner', 'accepted')`,
		append(args, ref, ref, inviterID)...).
		Scan(append(append(d.fields(), inviter.fields()...),
			&check.LiveStatus, &check.Sent.InDatabase, &check.Sent.ByInviter, &check.Sent.ToAddress)...)
	if err != nil {
		return InvitationCheck{}, notFound("check invitation", err)
	}
	check.Database, check.Inviter = d.database(), inviter.user()
	return check, nil
}

// sentCount is the count of the invitations and resends matching where since the time
// asked, or 0 when it is not asked: in the text, not chosen by a parameter, so that each
// combination is a statement whose plan PostgreSQL keeps. With a parameter choosing,
// PostgreSQL planned the query again at every execution (a generic plan costed the counts
// not asked for), 0.5 ms an invitation inside the writers' transaction.
func sentCount(asked bool, where string) string {
	if !asked {
		return "0"
	}
	return `(SELECT count(*) FROM events WHERE ` + where + ` AND type IN ('invited', 'resent') AND at > ?)`
}
