package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	urfave "github.com/urfave/cli/v3"
)

const localOnlyFlag = "local-only"

func logoutCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "logout",
		Usage:     "revoke the API token kept by login, and forget it",
		UsageText: "dbcollab logout [--local-only]",
		Description: "Revokes on the server the API token that login kept, then deletes auth.json.\n" +
			"When the server cannot be reached or gives an unexpected answer, nothing is deleted\n" +
			"and the token keeps working: run dbcollab logout again once the server answers, or\n" +
			"dbcollab logout --local-only to delete auth.json anyway and revoke the token later in\n" +
			"the API tokens section of the dashboard's account page.\n" +
			"A token given by DBCOLLAB_API_TOKEN is not revoked: it is not login's to forget.",
		Flags: []urfave.Flag{
			&urfave.BoolFlag{Name: localOnlyFlag, Usage: "delete auth.json without revoking the token on the server"},
		},
		OnUsageError: OnUsageError,
		Action:       logout,
	}
}

func logout(ctx context.Context, cmd *urfave.Command) error {
	if _, err := arguments(cmd); err != nil {
		return err
	}
	localOnly := cmd.Bool(localOnlyFlag)
	if !localOnly {
		stored, exists, err := credentialsFile()
		if err != nil {
			return err
		}
		if exists {
			if err := revokeStoredToken(ctx, stored); err != nil {
				return err
			}
		}
	}
	path, existed, err := deleteCredentials()
	if err != nil {
		return err
	}
	if !existed {
		return say(cmd.Root().Writer, "Already logged out: there is no %s", path)
	}
	if localOnly {
		warn(cmd.Root().ErrWriter, "The API token was not revoked: it works until you revoke it on the dashboard's account page")
	}
	return say(cmd.Root().Writer, "Logged out: deleted %s", path)
}

// revokeStoredToken revokes the token of auth.json where it was made. A token the
// server already refuses (revoked on the dashboard, expired) has nothing left to revoke.
func revokeStoredToken(ctx context.Context, c Credentials) error {
	if c.Token == "" {
		return nil
	}
	path, err := authPath()
	if err != nil {
		return err
	}
	apiURL, err := parseAPIURL(c.APIURL)
	if err == nil {
		err = NewClient(apiURL, c.Token).RevokeToken(ctx)
	}
	var apiErr *APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &apiErr) && apiErr.fromAPI && apiErr.Status == http.StatusUnauthorized:
		return nil
	case errors.As(err, &apiErr):
		err = unexpected(apiErr)
	}
	return fmt.Errorf("%v\nThe API token was not revoked and %s was kept: run dbcollab logout again once the server answers,\n"+
		"or dbcollab logout --local-only to delete it anyway (then revoke the token on the dashboard's account page)", err, path)
}
