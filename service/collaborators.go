package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dbcollab/links"
	"dbcollab/mailer"
	"dbcollab/store"
)

// Collaborators returns the database and its live rows (owner first, then invitation
// order) if userID is a member. A pending row whose link has expired shows as expired.
func (s *Service) Collaborators(ctx context.Context, userID int64, ref string) (store.Database, []store.Collaborator, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	if err != nil {
		return store.Database{}, nil, err
	}
	list, err := s.liveRows(ctx, db)
	return db, list, err
}

// liveRows lists the live rows of db, a database the caller may see, as people see them.
func (s *Service) liveRows(ctx context.Context, db store.Database) ([]store.Collaborator, error) {
	list, err := s.Store.Collaborators(ctx, db.ID)
	s.asSeen(list)
	return list, err
}

// asSeen turns rows as stored into rows as people see them: a pending row past its
// expiry is expired, and an invitation says when its link expires.
func (s *Service) asSeen(list []store.Collaborator) {
	now := s.now()
	for i, m := range list {
		list[i].Status = s.displayStatus(m, now)
		if m.Status == store.StatusPending {
			list[i].ExpiresAt = s.expiresAt(m)
		}
	}
}

// Invite invites an address to collaborate on the database ref, on behalf of inviterID,
// and queues the invitation e-mail and the event in the same transaction.
func (s *Service) Invite(ctx context.Context, inviterID int64, ref, rawEmail string) (store.Database, store.Collaborator, error) {
	email, err := NormalizeEmail(rawEmail)
	if err != nil {
		// Someone who may not see the database learns nothing, not even that the address is bad.
		if _, dbErr := s.Database(ctx, inviterID, ref); dbErr != nil {
			return store.Database{}, store.Collaborator{}, dbErr
		}
		return store.Database{}, store.Collaborator{}, err
	}
	var db store.Database
	var invite store.Collaborator
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		// What the rules read, in one query: the writer waits for each round trip.
		check, err := tx.CheckInvitation(ctx, ref, inviterID, email, s.now().Add(-inviteLimitWindow), s.countedLimits())
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		db = check.Database
		if err := refuseLiveAddress(db, email, check.LiveStatus); err != nil {
			return err
		}
		if err := s.refuseOverLimits(email, check.Sent); err != nil {
			return err
		}
		invite, err = s.insertInvitation(ctx, tx, db, check.Inviter, email)
		return err
	})
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	s.emailQueued()
	return db, invite, nil
}

// insertInvitation stores a pending row for email, queues its e-mail with a fresh link
// and records the event.
func (s *Service) insertInvitation(ctx context.Context, tx store.WriteTx, db store.Database, inviter store.User, email string) (store.Collaborator, error) {
	token, hash, err := newInvitationToken()
	if err != nil {
		return store.Collaborator{}, err
	}
	now := s.now()
	invite := store.Collaborator{DatabaseID: db.ID, Email: email, Status: store.StatusPending, InvitedBy: inviter.ID,
		InviterName: inviter.Username, TokenHash: hash, InvitedAt: now, SentAt: now}
	msg := s.invitationEmail(db, inviter, email, token)
	event := store.Event{DatabaseID: db.ID, Type: store.EventInvited, ActorID: inviter.ID, Target: email, At: now}
	if err := tx.InsertInvitation(ctx, &msg, &invite, event); errors.Is(err, store.ErrDuplicate) {
		return store.Collaborator{}, conflict("email", fmt.Sprintf("%s has already been invited to %s", email, db.Name))
	} else if err != nil {
		return store.Collaborator{}, err
	}
	return invite, nil
}

// queueInvitation puts the invitation e-mail with its link in the outbox.
func (s *Service) queueInvitation(ctx context.Context, tx store.WriteTx, db store.Database, inviter store.User, email, token string) (int64, error) {
	msg := s.invitationEmail(db, inviter, email, token)
	err := tx.EnqueueEmail(ctx, &msg)
	return msg.ID, err
}

// invitationEmail is the invitation e-mail to email, with its link.
func (s *Service) invitationEmail(db store.Database, inviter store.User, email, token string) store.Email {
	msg := mailer.Invitation(email, mailer.InvitationData{
		DatabaseName: db.Name, InviterName: inviter.Username, InviterEmail: inviter.Email,
		Link: s.BaseURL + links.InvitationLink(token), ExpiresAt: s.now().Add(s.inviteTTL()),
	})
	msg.CreatedAt = s.now()
	return msg
}

// checkInviteLimits refuses a further invitation or resend once, in the last 24 hours,
// the database has sent InviteLimit of them, the sender InviteLimitPerInviter (across
// databases) or the address received InviteLimitPerRecipient (across databases).
func (s *Service) checkInviteLimits(ctx context.Context, tx store.Conn, db store.Database, senderID int64, email string) error {
	since := s.now().Add(-inviteLimitWindow)
	counted := s.countedLimits()
	var sent store.Sent
	var err error
	if counted.InDatabase {
		if sent.InDatabase, err = tx.CountInvitationsSince(ctx, db.ID, since); err != nil {
			return err
		}
	}
	if counted.ByInviter {
		if sent.ByInviter, err = tx.CountInvitationsSentBy(ctx, senderID, since); err != nil {
			return err
		}
	}
	if counted.ToAddress {
		if sent.ToAddress, err = tx.CountInvitationsSentTo(ctx, email, since); err != nil {
			return err
		}
	}
	return s.refuseOverLimits(email, sent)
}

// countedLimits says which counts the invitation limits need: those of the limits set.
func (s *Service) countedLimits() store.Counted {
	return store.Counted{InDatabase: s.InviteLimit > 0, ByInviter: s.InviteLimitPerInviter > 0, ToAddress: s.InviteLimitPerRecipient > 0}
}

// refuseOverLimits refuses an invitation or resend of email that sent, counted over
// the last 24 hours, puts at or over a limit set (see checkInviteLimits).
func (s *Service) refuseOverLimits(email string, sent store.Sent) error {
	for _, l := range []struct {
		limit, sent int
		message     string
	}{
		{s.InviteLimit, sent.InDatabase,
			fmt.Sprintf("This database has reached its limit of %d invitations in 24 hours; try again later", s.InviteLimit)},
		{s.InviteLimitPerInviter, sent.ByInviter,
			fmt.Sprintf("You have reached your limit of %d invitations in 24 hours; try again later", s.InviteLimitPerInviter)},
		{s.InviteLimitPerRecipient, sent.ToAddress,
			fmt.Sprintf("%s has already received %d invitations in 24 hours; try again later", email, s.InviteLimitPerRecipient)},
	} {
		if l.limit > 0 && l.sent >= l.limit {
			return &Error{Kind: TooMany, Field: "email", Message: l.message}
		}
	}
	return nil
}

// refuseLiveAddress says why email cannot be invited to db, if it already has a live
// row there, of status liveStatus ("" if none).
func refuseLiveAddress(db store.Database, email, liveStatus string) error {
	switch liveStatus {
	case "":
		return nil
	case store.StatusOwner:
		return conflict("email", fmt.Sprintf("%s is the owner of %s", email, db.Name))
	case store.StatusAccepted:
		return conflict("email", fmt.Sprintf("%s already collaborates on %s", email, db.Name))
	default:
		return conflict("email", fmt.Sprintf("%s has already been invited to %s", email, db.Name))
	}
}

// Collaborator returns the database and one of its live, revocable rows, for the
// confirmation page. The owner's row is not revocable.
func (s *Service) Collaborator(ctx context.Context, userID int64, ref string, id int64) (store.Database, store.Collaborator, error) {
	db, err := databaseForMember(ctx, s.Store.Conn, userID, ref)
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	m, err := liveCollaborator(ctx, s.Store.Conn, db.ID, id)
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	if m.Status == store.StatusOwner {
		return store.Database{}, store.Collaborator{}, ErrOwnerNotRevocable
	}
	m.Status = s.displayStatus(m, s.now())
	return db, m, nil
}

// ErrOwnerNotRevocable refuses to take a database from its owner.
var ErrOwnerNotRevocable = &Error{Kind: Invalid, Message: "The owner's access cannot be revoked: a database always keeps its owner"}

// Revocation says what Revoke did.
type Revocation struct {
	Database store.Database
	Email    string
	// Left is true when the actor revoked their own access: they stopped collaborating.
	Left bool
	// Cancelled lists the pending invitations the person removed had sent: they end with
	// their sender's access, so that nobody keeps a way back in.
	Cancelled []string
}

// Revoke ends the access of row id on the database ref: it removes a collaborator,
// cancels a pending invitation (its link stops working), or, on the actor's own row,
// makes them stop collaborating. Any member may do it; nobody can revoke the owner.
// The person removed (or, when someone leaves, the owner) is told by e-mail.
func (s *Service) Revoke(ctx context.Context, actorID int64, ref string, id int64) (Revocation, error) {
	var r Revocation
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		db, err := databaseForMember(ctx, tx.Conn, actorID, ref)
		if err != nil {
			return err
		}
		m, err := liveCollaborator(ctx, tx.Conn, db.ID, id)
		if err != nil {
			return err
		}
		if m.Status == store.StatusOwner {
			return ErrOwnerNotRevocable
		}
		actor, err := tx.UserByID(ctx, actorID)
		if err != nil {
			return err
		}
		r, err = s.endAccess(ctx, tx, db, actor, m)
		return err
	})
	if err == nil {
		s.AccessQueued()
		s.emailQueued()
	}
	return r, err
}

// endAccess is the write of Revoke, once allowed: actor ends row m of db, their own
// (they leave) or someone else's, with its event, the cancelling of the invitations an
// accepted collaborator sent, and the notice. Deleting an account leaves through it too.
func (s *Service) endAccess(ctx context.Context, tx store.WriteTx, db store.Database, actor store.User, m store.Collaborator) (Revocation, error) {
	now := s.now()
	r := Revocation{Database: db, Email: m.Email, Left: m.UserID == actor.ID}
	status, event := store.StatusRevoked, store.EventRevoked
	if r.Left {
		status, event = store.StatusLeft, store.EventLeft
	}
	if err := tx.EndCollaboration(ctx, m.ID, status, now); err != nil {
		return r, err
	}
	if err := tx.InsertEvent(ctx, store.Event{DatabaseID: db.ID, Type: event, ActorID: actor.ID, Target: m.Email, At: now}); err != nil {
		return r, err
	}
	if m.Status == store.StatusAccepted {
		if err := s.revokeAccess(ctx, tx, db.ID, m.UserID); err != nil {
			return r, err
		}
		var err error
		if r.Cancelled, err = cancelInvitationsBy(ctx, tx, db, m.UserID, now); err != nil {
			return r, err
		}
	}
	notice := mailer.RevokedNotice(m.Email, db.Name, actor.Username, m.Status == store.StatusPending, s.BaseURL+"/")
	if r.Left {
		notice = mailer.LeftNotice(db.Owner.Email, db.Name, fmt.Sprintf("%s (%s)", actor.Username, actor.Email),
			r.Cancelled, s.BaseURL+links.Collaborators(db.Name))
	}
	notice.CreatedAt = now
	return r, tx.EnqueueEmail(ctx, &notice)
}

// cancelInvitationsBy cancels the pending invitations inviterID sent to db, with an
// event each, and returns their addresses.
func cancelInvitationsBy(ctx context.Context, tx store.WriteTx, db store.Database, inviterID int64, at time.Time) ([]string, error) {
	cancelled, err := tx.CancelInvitationsBy(ctx, db.ID, inviterID, at)
	if err != nil {
		return nil, err
	}
	for _, email := range cancelled {
		if err := tx.InsertEvent(ctx, store.Event{DatabaseID: db.ID, Type: store.EventCancelled, ActorID: inviterID, Target: email, At: at}); err != nil {
			return nil, err
		}
	}
	return cancelled, nil
}

// ErrNotResendable refuses to resend to a row that is not a pending invitation.
var ErrNotResendable = &Error{Kind: Invalid, Message: "Only a pending or expired invitation can be sent again"}

// Resend e-mails a fresh link for the pending (or expired) invitation id: the previous
// link stops working at once and the expiry starts again.
func (s *Service) Resend(ctx context.Context, actorID int64, ref string, id int64) (store.Database, store.Collaborator, error) {
	token, hash, err := newInvitationToken()
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	var db store.Database
	var m store.Collaborator
	err = s.Store.Tx(ctx, func(tx store.WriteTx) error {
		if db, err = databaseForMember(ctx, tx.Conn, actorID, ref); err != nil {
			return err
		}
		if m, err = liveCollaborator(ctx, tx.Conn, db.ID, id); err != nil {
			return err
		}
		if m.Status != store.StatusPending {
			return ErrNotResendable
		}
		// A resend counts against the one who resends, not the first inviter.
		if err := s.checkInviteLimits(ctx, tx.Conn, db, actorID, m.Email); err != nil {
			return err
		}
		actor, err := tx.UserByID(ctx, actorID)
		if err != nil {
			return err
		}
		emailID, err := s.queueInvitation(ctx, tx, db, actor, m.Email, token)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.ReplaceInvitationToken(ctx, m.ID, hash, emailID, now); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, store.Event{DatabaseID: db.ID, Type: store.EventResent, ActorID: actorID, Target: m.Email, At: now}); err != nil {
			return err
		}
		m, err = tx.LiveCollaborator(ctx, db.ID, m.ID)
		return err
	})
	if err != nil {
		return store.Database{}, store.Collaborator{}, err
	}
	s.emailQueued()
	return db, m, nil
}

func liveCollaborator(ctx context.Context, c store.Conn, databaseID string, id int64) (store.Collaborator, error) {
	m, err := c.LiveCollaborator(ctx, databaseID, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Collaborator{}, ErrNotFound
	}
	return m, err
}
