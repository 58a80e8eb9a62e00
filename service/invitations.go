package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dbcollab/links"
	"dbcollab/mailer"
	"dbcollab/store"
)

// An invitation link carries a secret of its own (see newSecret), unprefixed.
const invitationTokenBytes = secretBytes

func newInvitationToken() (token string, hash []byte, err error) { return newSecret("") }

// ParseInvitationToken decodes a token from a link and returns its hash; ok is false for
// anything that is not a token we could have made.
func ParseInvitationToken(token string) (hash []byte, ok bool) { return parseSecret("", token) }

// InvitationState is what became of an invitation link.
type InvitationState int

const (
	InvitationUnknown InvitationState = iota
	InvitationOpen
	InvitationAccepted
	InvitationCancelled
	InvitationReplaced
	InvitationExpired
	// InvitationDeleted: the database was deleted; Database holds its name only.
	InvitationDeleted
)

// Invitation is what an invitation link leads to.
type Invitation struct {
	State        InvitationState
	Database     store.Database
	Collaborator store.Collaborator
	// InviterCanResend is whether the inviter is still a member, so may resend an expired
	// invitation (always true when the owner invited).
	InviterCanResend bool
}

// Message says in plain words why a link can no longer be used; empty while it can.
func (inv Invitation) Message() string {
	switch inv.State {
	case InvitationOpen:
		return ""
	case InvitationAccepted:
		return "This invitation has already been accepted; it cannot be used again."
	case InvitationCancelled:
		return "This invitation was cancelled: access to " + inv.Database.Name + " was revoked before it was accepted."
	case InvitationReplaced:
		return "This link was replaced: a newer invitation to " + inv.Database.Name + " was sent (resent) since. Use the link in the most recent e-mail."
	case InvitationDeleted:
		return "This invitation was to " + inv.Database.Name + ", a database that no longer exists: its owner deleted it."
	case InvitationExpired:
		owner := inv.Database.Owner.Username
		switch {
		case inv.Collaborator.InvitedBy == inv.Database.OwnerID:
			return fmt.Sprintf("This invitation has expired. Ask %s, who invited you and owns %s, to resend it.", owner, inv.Database.Name)
		case inv.InviterCanResend:
			return fmt.Sprintf("This invitation has expired. Ask %s, who invited you, or %s, the owner of %s, to resend it.",
				inv.Collaborator.InviterName, owner, inv.Database.Name)
		default:
			return fmt.Sprintf("This invitation has expired. Ask %s, the owner of %s, to resend it.", owner, inv.Database.Name)
		}
	default:
		return "This invitation link is not valid. Check that you copied the whole link from the e-mail."
	}
}

// Invitation looks up the invitation behind a link. Unknown tokens are a state, not an error.
func (s *Service) Invitation(ctx context.Context, token string) (Invitation, error) {
	return s.invitationByToken(ctx, s.Store.Conn, token)
}

func (s *Service) invitationByToken(ctx context.Context, c store.Conn, token string) (Invitation, error) {
	hash, ok := ParseInvitationToken(token)
	if !ok {
		return Invitation{State: InvitationUnknown}, nil
	}
	m, err := c.CollaboratorByTokenHash(ctx, hash)
	replaced := false
	if errors.Is(err, store.ErrNotFound) {
		m, err = c.CollaboratorByReplacedToken(ctx, hash)
		replaced = true
	}
	if errors.Is(err, store.ErrNotFound) {
		return deletedDatabaseInvitation(ctx, c, hash)
	}
	if err != nil {
		return Invitation{}, err
	}
	db, err := c.DatabaseByID(ctx, m.DatabaseID)
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Database: db, Collaborator: m}
	switch {
	case !m.AcceptedAt.IsZero():
		inv.State = InvitationAccepted
	case m.Status != store.StatusPending:
		inv.State = InvitationCancelled
	case replaced:
		inv.State = InvitationReplaced
	case s.displayStatus(m, s.now()) == store.StatusExpired:
		inv.State = InvitationExpired
		// Only a member may resend: the message must not send the invitee to someone
		// who has since left.
		_, err := c.DatabaseForMember(ctx, db.ID, m.InvitedBy)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Invitation{}, err
		}
		inv.InviterCanResend = err == nil
	default:
		inv.State = InvitationOpen
	}
	return inv, nil
}

// deletedDatabaseInvitation is the invitation behind a link of a deleted database, or
// an unknown one.
func deletedDatabaseInvitation(ctx context.Context, c store.Conn, hash []byte) (Invitation, error) {
	name, err := c.DatabaseNameOfDeletedLink(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Invitation{State: InvitationUnknown}, nil
	}
	if err != nil {
		return Invitation{}, err
	}
	return Invitation{State: InvitationDeleted, Database: store.Database{Name: name}}, nil
}

// WrongAccountMessage tells someone signed in with another address than the invited one.
func WrongAccountMessage(invited, signedIn string) string {
	return fmt.Sprintf("This invitation was sent to %s; you are signed in as %s.", MaskEmail(invited), MaskEmail(signedIn))
}

// MaskEmail keeps the first letter of the local part and the domain: u…@example.com.
func MaskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 1 {
		return "…"
	}
	first := []rune(email[:at])[0]
	return string(first) + "…" + email[at:]
}

// AcceptInvitation makes userID a collaborator through the invitation behind token.
// Only the account with the invited address may accept it. The inviter and the owner
// are told by e-mail.
func (s *Service) AcceptInvitation(ctx context.Context, userID int64, token string) (store.Database, error) {
	var db store.Database
	err := s.Store.Tx(ctx, func(tx store.WriteTx) error {
		inv, err := s.invitationByToken(ctx, tx.Conn, token)
		if err != nil {
			return err
		}
		if inv.State != InvitationOpen {
			return &Error{Kind: Conflict, Message: inv.Message()}
		}
		user, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if user.VerifiedAt.IsZero() {
			return &Error{Kind: Invalid, Message: "Confirm your e-mail address before accepting an invitation: follow the link we e-mailed to you."}
		}
		if user.Email != inv.Collaborator.Email {
			return &Error{Kind: Invalid, Message: WrongAccountMessage(inv.Collaborator.Email, user.Email)}
		}
		db = inv.Database
		now := s.now()
		if err := tx.AcceptInvitation(ctx, inv.Collaborator.ID, userID, now); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, store.Event{DatabaseID: db.ID, Type: store.EventAccepted, ActorID: userID, Target: user.Email, At: now}); err != nil {
			return err
		}
		if err := s.grantAccess(ctx, tx, db.ID, userID); err != nil {
			return err
		}
		return s.queueAcceptedNotices(ctx, tx, db, inv.Collaborator.InvitedBy, user)
	})
	if err == nil {
		s.AccessQueued()
		s.emailQueued()
	}
	return db, err
}

// queueAcceptedNotices tells the inviter and the owner (once if they are the same)
// that user accepted. An inviter who no longer collaborates is not told: news of the
// database is for its members.
func (s *Service) queueAcceptedNotices(ctx context.Context, tx store.WriteTx, db store.Database, inviterID int64, user store.User) error {
	to := []string{db.Owner.Email}
	if inviterID != 0 && inviterID != db.OwnerID {
		if _, err := databaseForMember(ctx, tx.Conn, inviterID, db.ID); err == nil {
			inviter, err := tx.UserByID(ctx, inviterID)
			if err != nil {
				return err
			}
			to = append(to, inviter.Email)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	who := fmt.Sprintf("%s (%s)", user.Username, user.Email)
	for _, addr := range to {
		notice := mailer.AcceptedNotice(addr, db.Name, who, s.BaseURL+links.Collaborators(db.Name))
		notice.CreatedAt = s.now()
		if err := tx.EnqueueEmail(ctx, &notice); err != nil {
			return err
		}
	}
	return nil
}
