package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"dbcollab/store"
)

// An invitation link carries 32 random bytes; only their SHA-256 is stored, so the
// database alone cannot be used to accept an invitation.
const invitationTokenBytes = 32

func newInvitationToken() (token string, hash []byte, err error) {
	b := make([]byte, invitationTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("service: invitation token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256(b)
	return token, sum[:], nil
}

// ParseInvitationToken decodes a token from a link and returns its hash; ok is false for
// anything that is not a token we could have made.
func ParseInvitationToken(token string) (hash []byte, ok bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(invitationTokenBytes) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != invitationTokenBytes {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}

// InvitationState is what became of an invitation link.
type InvitationState int

const (
	InvitationUnknown InvitationState = iota
	InvitationOpen
	InvitationAccepted
	InvitationCancelled
)

// Invitation is what an invitation link leads to.
type Invitation struct {
	State        InvitationState
	Database     store.Database
	Collaborator store.Collaborator
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
	default:
		return "This invitation link is not valid. Check that you copied the whole link from the e-mail."
	}
}

// Invitation looks up the invitation behind a link. Unknown tokens are a state, not an error.
func (s *Service) Invitation(ctx context.Context, token string) (Invitation, error) {
	return invitationByToken(ctx, s.Store.Conn, token)
}

func invitationByToken(ctx context.Context, c store.Conn, token string) (Invitation, error) {
	hash, ok := ParseInvitationToken(token)
	if !ok {
		return Invitation{State: InvitationUnknown}, nil
	}
	m, err := c.CollaboratorByTokenHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Invitation{State: InvitationUnknown}, nil
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
	case m.Status == store.StatusPending:
		inv.State = InvitationOpen
	case !m.AcceptedAt.IsZero():
		inv.State = InvitationAccepted
	default:
		inv.State = InvitationCancelled
	}
	return inv, nil
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
// Only the account with the invited address may accept it.
func (s *Service) AcceptInvitation(ctx context.Context, userID int64, token string) (store.Database, error) {
	var db store.Database
	err := s.Store.Tx(ctx, func(tx store.Conn) error {
		inv, err := invitationByToken(ctx, tx, token)
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
		if user.Email != inv.Collaborator.Email {
			return &Error{Kind: Invalid, Message: WrongAccountMessage(inv.Collaborator.Email, user.Email)}
		}
		db = inv.Database
		return tx.AcceptInvitation(ctx, inv.Collaborator.ID, userID, s.now())
	})
	return db, err
}
