package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dbcollab/service"
	"dbcollab/store"
	"dbcollab/store/storetest"
)

// Generated data: one owner, signed in by the load, owns three databases.
const (
	ownerEmail    = "owner@example.com"
	ownerPassword = "load-owner-password"
	tabDB100      = "tab-100"
	tabDB1000     = "tab-1000"
	invitesDB     = "invitations"
)

// seed fills the store at path (a SQLite file, or an empty PostgreSQL database) through
// the rules layer and the store: the owner (with a real bcrypt hash at the default cost),
// a database with 100 collaborators, one with 1000, and an empty one the API invitations go to. It returns an API token.
func seed(ctx context.Context, path string) (apiToken string, err error) {
	st, err := store.Open(path)
	if err != nil {
		return "", err
	}
	defer st.Close()
	svc := &service.Service{Store: st}
	owner, err := svc.Signup(ctx, service.SignupInput{Email: ownerEmail, Username: "owner", Password: ownerPassword})
	if err != nil {
		return "", fmt.Errorf("seed owner: %w", err)
	}
	for name, rows := range map[string]int{tabDB100: 100, tabDB1000: 1000, invitesDB: 0} {
		db, err := svc.CreateDatabase(ctx, owner.ID, service.NewDatabaseInput{Name: name, Plan: service.Plans[0].ID})
		if err != nil {
			return "", fmt.Errorf("seed %s: %w", name, err)
		}
		if err := storetest.AddCollaborators(ctx, st, db, name, rows); err != nil {
			return "", fmt.Errorf("seed %s: %w", name, err)
		}
	}
	if apiToken, _, err = svc.CreateAPIToken(ctx, owner.ID, "load"); err != nil {
		return "", err
	}
	return apiToken, analyze(ctx, path)
}

// analyze gives a PostgreSQL store's planner the statistics of the rows just generated,
// as autovacuum would in its first minute: the figures are of a store in its steady
// state. Measured before it had them, the tab's first round was 12–17% slower than the
// next two. (SQLite keeps statistics only when asked, and a dbcollab store never is.)
func analyze(ctx context.Context, path string) error {
	if !strings.HasPrefix(path, "postgres") {
		return nil
	}
	db, err := sql.Open("pgx", path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze the generated data: %w", err)
	}
	return nil
}

// waitForOutbox waits until the store at path holds no e-mail due within a minute: the
// server has sent what its start made due.
func waitForOutbox(ctx context.Context, path string) error {
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		e, err := st.NextDueEmail(ctx)
		if errors.Is(err, store.ErrNotFound) || (err == nil && time.Until(e.NextAttemptAt) > time.Minute) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("wait for the seeded e-mails to be sent: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the seeded e-mails were not sent within a minute: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
