package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	urfave "github.com/urfave/cli/v3"
)

func credentialsCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "credentials",
		Usage:     "show how to connect to a database's PostgreSQL as yourself",
		UsageText: "dbcollab --database NAME-OR-ID credentials",
		Description: "Prints your own PostgreSQL login on the database: host, port, database, user and\n" +
			"the postgresql:// URI, without the password, which dbcollab does not keep.\n" +
			"dbcollab credentials-reset gives you a new password.",
		OnUsageError: OnUsageError,
		Action:       showCredentials,
	}
}

func credentialsResetCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "credentials-reset",
		Usage:     "give yourself a new PostgreSQL password on a database, and show it once",
		UsageText: "dbcollab --database NAME-OR-ID credentials-reset",
		Description: "Sets a new password for your own PostgreSQL login on the database and prints it\n" +
			"with your credentials, this once: dbcollab keeps no copy of it. The previous password\n" +
			"stops working at once.",
		OnUsageError: OnUsageError,
		Action:       resetCredentials,
	}
}

func showCredentials(ctx context.Context, cmd *urfave.Command) error {
	return printCredentials(ctx, cmd, (*Client).Credentials)
}

func resetCredentials(ctx context.Context, cmd *urfave.Command) error {
	return printCredentials(ctx, cmd, (*Client).ResetCredentials)
}

// printCredentials looks the database up (so that the header names it even when
// --database gave its ID), then asks for the credentials with get.
func printCredentials(ctx context.Context, cmd *urfave.Command,
	get func(*Client, context.Context, string) (DatabaseCredentials, string, error)) error {
	d, err := startDatabaseCommand(cmd)
	if err != nil {
		return err
	}
	db, err := d.database(ctx)
	if err != nil {
		return err
	}
	creds, username, err := get(d.client, ctx, string(db.ID))
	if err != nil {
		return explainCredentials(err, db.Name)
	}
	return writeCredentials(cmd.Root().Writer, username, db.Name, creds)
}

// explainCredentials words the refusals of the credentials routes: access not granted
// yet (409), no PostgreSQL server attached or reachable (503). The API's message says which.
func explainCredentials(err error, name string) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.fromAPI &&
		(apiErr.Status == http.StatusConflict || apiErr.Status == http.StatusServiceUnavailable) {
		return errors.New(apiErr.Message)
	}
	return explain(err, name)
}

// writeCredentials prints the header, then one "Name:" line per part, the password
// last and only when there is one. It is written at once, so that a failure leaves
// nothing on stdout.
func writeCredentials(w io.Writer, username, database string, c DatabaseCredentials) error {
	var buf bytes.Buffer
	say(&buf, "Credentials of %s on %s", username, database)
	fmt.Fprintf(&buf, "Host:     %s\nPort:     %d\nDatabase: %s\nUser:     %s\nURI:      %s\n", c.Host, c.Port, c.Database, c.User, c.URI)
	if c.Password != "" {
		fmt.Fprintf(&buf, "Password: %s\n", c.Password)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
