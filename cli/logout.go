package cli

import (
	"context"

	urfave "github.com/urfave/cli/v3"
)

func logoutCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "logout",
		Usage:     "forget the API token kept by login",
		UsageText: "dbcollab logout",
		Description: "Deletes the auth.json that login wrote. The token itself stays valid until it is\n" +
			"revoked in the API tokens section of the dashboard's account page.",
		OnUsageError: OnUsageError,
		Action:       logout,
	}
}

func logout(_ context.Context, cmd *urfave.Command) error {
	if _, err := arguments(cmd); err != nil {
		return err
	}
	path, existed, err := deleteCredentials()
	if err != nil {
		return err
	}
	if !existed {
		return say(cmd.Root().Writer, "Already logged out: there is no %s", path)
	}
	return say(cmd.Root().Writer, "Logged out: deleted %s", path)
}
