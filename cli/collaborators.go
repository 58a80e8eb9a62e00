package cli

import (
	"context"

	urfave "github.com/urfave/cli/v3"
)

func collaboratorsCommand() *urfave.Command {
	return &urfave.Command{
		Name:         "collaborators",
		Usage:        "list the collaborators of a database",
		UsageText:    "dbcollab --database NAME-OR-ID collaborators",
		Description:  "Lists the owner first, then the collaborators and pending invitations in the order they were invited.\nA pending invitation has no username yet: n/a.",
		OnUsageError: OnUsageError,
		Action:       listCollaborators,
	}
}

func listCollaborators(ctx context.Context, cmd *urfave.Command) error {
	d, err := startDatabaseCommand(cmd)
	if err != nil {
		return err
	}
	list, err := d.client.Collaborators(ctx, d.ref)
	if err != nil {
		return explain(err, d.ref)
	}
	return writeCollaborators(cmd.Root().Writer, list)
}
