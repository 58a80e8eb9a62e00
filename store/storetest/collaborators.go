// Package storetest fills a store with generated collaborators, for the benchmarks, the
// cost tests and the load tool (e2e/load).
package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"dbcollab/store"
)

// AddCollaborators gives db n more rows, all invited by its owner, in one transaction:
// every second one an accepted collaborator with an account, the others pending
// invitations whose e-mail was sent or, one in four, is failing (retried in a day, so
// that a running server's sender leaves it as it is); each with its events, as the rules
// would have recorded them. Addresses are prefix-NNNN@example.com; the accounts'
// password hash matches no password.
func AddCollaborators(ctx context.Context, st *store.Store, db store.Database, prefix string, n int) error {
	now := time.Now().UTC()
	return st.Tx(ctx, func(tx store.WriteTx) error {
		for i := 1; i <= n; i++ {
			name := fmt.Sprintf("%s-%04d", prefix, i)
			at := now.Add(time.Duration(i-n) * time.Second)
			if err := addOne(ctx, tx, db, name, i%2 == 0, i%4 != 1, at); err != nil {
				return fmt.Errorf("storetest: %s: %w", name, err)
			}
		}
		return nil
	})
}

func addOne(ctx context.Context, tx store.WriteTx, db store.Database, name string, accepted, delivered bool, at time.Time) error {
	email := name + "@example.com"
	mail := store.Email{To: email, Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: at}
	err := tx.EnqueueEmail(ctx, &mail)
	if err != nil {
		return err
	}
	if delivered {
		err = tx.MarkEmailSent(ctx, mail.ID, at)
	} else {
		err = tx.MarkEmailFailed(ctx, mail.ID, "connection refused", at.Add(24*time.Hour))
	}
	if err != nil {
		return err
	}
	m := store.Collaborator{DatabaseID: db.ID, Email: email, Status: store.StatusPending, InvitedBy: db.OwnerID,
		TokenHash: randomHash(), InvitedAt: at, SentAt: at, EmailID: mail.ID}
	if err := tx.InsertCollaborator(ctx, &m); err != nil {
		return err
	}
	invited := store.Event{DatabaseID: db.ID, Type: store.EventInvited, ActorID: db.OwnerID, Target: email, At: at}
	if err := tx.InsertEvent(ctx, invited); err != nil {
		return err
	}
	if !accepted {
		return nil
	}
	u := store.User{Email: email, Username: name, PasswordHash: "!", CreatedAt: at, VerifiedAt: at}
	if err := tx.CreateUser(ctx, &u); err != nil {
		return err
	}
	if err := tx.AcceptInvitation(ctx, m.ID, u.ID, at); err != nil {
		return err
	}
	return tx.InsertEvent(ctx, store.Event{DatabaseID: db.ID, Type: store.EventAccepted, ActorID: u.ID, Target: email, At: at})
}

func randomHash() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}
