package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	urfave "github.com/urfave/cli/v3"
)

func collaboratorsAddCommand() *urfave.Command {
	return &urfave.Command{
		Name:         "collaborators-add",
		Usage:        "invite someone to collaborate on a database",
		UsageText:    "dbcollab --database NAME-OR-ID collaborators-add EMAIL",
		Description:  "Sends an invitation e-mail to EMAIL. Until it is accepted, the invitation is listed as pending.",
		OnUsageError: OnUsageError,
		Action:       addCollaborator,
	}
}

func addCollaborator(ctx context.Context, cmd *urfave.Command) error {
	d, err := startDatabaseCommand(cmd, "EMAIL")
	if err != nil {
		return err
	}
	email := d.args[0]
	db, err := d.database(ctx)
	if err != nil {
		return err
	}
	invited, err := d.client.Invite(ctx, string(db.ID), email)
	if err != nil {
		return explainInvite(err, db, email)
	}
	if invited.Email != "" {
		email = invited.Email // as the API stored it: trimmed and lower-cased
	}
	return say(cmd.Root().Writer, "%s has been invited to collaborate to %s", email, db.Name)
}

func explainInvite(err error, db Database, email string) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.fromAPI {
		switch apiErr.Status {
		case http.StatusUnprocessableEntity:
			if len(apiErr.Fields["email"]) > 0 {
				return fmt.Errorf("%s is not a valid e-mail address", email)
			}
			return errors.New(apiErr.Message)
		case http.StatusConflict:
			// The owner, an existing collaborator or a pending invitation: the API says which.
			return errors.New(apiErr.Message)
		}
	}
	return explain(err, db.Name)
}
