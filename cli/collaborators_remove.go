package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	urfave "github.com/urfave/cli/v3"

	"dbcollab/service"
)

func collaboratorsRemoveCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "collaborators-remove",
		Usage:     "remove a collaborator, cancel an invitation, or stop collaborating",
		UsageText: "dbcollab --database NAME-OR-ID collaborators-remove EMAIL",
		Description: "Revokes the access of EMAIL to the database, or cancels its pending invitation.\n" +
			"Your own address makes you stop collaborating. The owner cannot be removed.",
		OnUsageError: OnUsageError,
		Action:       removeCollaborator,
	}
}

func removeCollaborator(ctx context.Context, cmd *urfave.Command) error {
	d, err := startDatabaseCommand(cmd, "EMAIL")
	if err != nil {
		return err
	}
	email := d.args[0]
	db, err := d.database(ctx)
	if err != nil {
		return err
	}
	list, err := d.client.Collaborators(ctx, string(db.ID))
	if err != nil {
		return explain(err, db.Name)
	}
	row, found := collaboratorByEmail(list, email)
	if !found {
		return notCollaborator(email, db)
	}
	if err := d.client.Revoke(ctx, string(db.ID), row.ID); err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.fromAPI {
			switch apiErr.Status {
			case http.StatusUnprocessableEntity: // the owner's row
				return errors.New(apiErr.Message)
			case http.StatusNotFound: // removed by someone else since the list was read
				return notCollaborator(email, db)
			}
		}
		return explain(err, db.Name)
	}
	return say(cmd.Root().Writer, "%s has been removed from the collaborators of %s", row.Email, db.Name)
}

// collaboratorByEmail finds a row by address, compared as the server compares them:
// normalised by service.NormalizeEmail, then byte for byte. Unicode case folding would
// take ſam@example.com for sam@example.com. An address today's rules refuse can only be
// a row stored before them, found by its exact spelling.
func collaboratorByEmail(list []Collaborator, email string) (Collaborator, bool) {
	want, err := service.NormalizeEmail(email)
	if err != nil {
		want = strings.TrimSpace(email)
	}
	for _, c := range list {
		if c.Email == want {
			return c, true
		}
	}
	return Collaborator{}, false
}

func notCollaborator(email string, db Database) error {
	return fmt.Errorf("%s is not a collaborator of %s", email, db.Name)
}
