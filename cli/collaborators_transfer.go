package cli

import (
	"context"
	"errors"
	"net/http"

	urfave "github.com/urfave/cli/v3"
)

func collaboratorsTransferCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "collaborators-transfer",
		Usage:     "make a collaborator the owner of a database",
		UsageText: "dbcollab --database NAME-OR-ID collaborators-transfer EMAIL",
		Description: "Makes EMAIL, who must have accepted an invitation, the owner of the database.\n" +
			"You stay on as a collaborator. Only the owner can do it.",
		OnUsageError: OnUsageError,
		Action:       transferOwnership,
	}
}

func transferOwnership(ctx context.Context, cmd *urfave.Command) error {
	d, err := startDatabaseCommand(cmd, "EMAIL")
	if err != nil {
		return err
	}
	db, err := d.database(ctx)
	if err != nil {
		return err
	}
	after, err := d.client.TransferOwnership(ctx, string(db.ID), d.args[0])
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.fromAPI && apiErr.Status == http.StatusUnprocessableEntity {
			// Not the owner, or not an accepted collaborator: the API says which.
			return errors.New(apiErr.Message)
		}
		return explain(err, db.Name)
	}
	email := d.args[0]
	if after.Owner.Email != "" {
		email = after.Owner.Email // as the API stored it: trimmed and lower-cased
	}
	return say(cmd.Root().Writer, "%s is now the owner of %s", email, db.Name)
}
