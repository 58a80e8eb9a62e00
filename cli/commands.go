// Package cli is the command-line client: login and logout, and the commands that list,
// invite and remove the collaborators of a database, transfer it, and show or reset one's
// own PostgreSQL credentials on it, through the JSON API.
package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	urfave "github.com/urfave/cli/v3"
)

// Commands returns the client's commands, for the root command.
func Commands() []*urfave.Command {
	return []*urfave.Command{
		loginCommand(),
		logoutCommand(),
		collaboratorsCommand(),
		collaboratorsAddCommand(),
		collaboratorsRemoveCommand(),
		collaboratorsTransferCommand(),
		collaboratorsEventsCommand(),
		credentialsCommand(),
		credentialsResetCommand(),
	}
}

const databaseFlag = "database"

// DatabaseFlag is the global --database flag, which DBCOLLAB_DATABASE stands for.
func DatabaseFlag() urfave.Flag {
	return &urfave.StringFlag{
		Name:    databaseFlag,
		Usage:   "the database to work on, by `NAME-OR-ID`",
		Sources: urfave.EnvVars("DBCOLLAB_DATABASE"),
	}
}

// RootAction runs when no command is named: it shows the help, or refuses an unknown command.
func RootAction(ctx context.Context, cmd *urfave.Command) error {
	if cmd.Args().Present() {
		return usage(cmd, "Unknown command %q: dbcollab help lists the commands", cmd.Args().First())
	}
	return urfave.ShowRootCommandHelp(cmd)
}

// OnUsageError answers a flag the command cannot parse with the command's help.
func OnUsageError(_ context.Context, cmd *urfave.Command, err error, _ bool) error {
	return usage(cmd, "%v", err)
}

// usageError is a command used the wrong way: a missing or extra argument or flag.
type usageError struct{ message string }

func (e *usageError) Error() string { return e.message }

// usage prints the command's help on stderr and returns a usage error.
func usage(cmd *urfave.Command, format string, args ...any) error {
	template := urfave.CommandHelpTemplate
	if cmd.Root() == cmd {
		template = urfave.RootCommandHelpTemplate
	}
	urfave.HelpPrinter(cmd.Root().ErrWriter, template, cmd)
	return &usageError{fmt.Sprintf(format, args...)}
}

// arguments returns the command's arguments if there is one for each name, and a usage
// error naming the first one missing or extra otherwise.
func arguments(cmd *urfave.Command, names ...string) ([]string, error) {
	args := cmd.Args().Slice()
	switch {
	case len(args) < len(names):
		return nil, usage(cmd, "Missing argument: %s", names[len(args)])
	case len(args) > len(names):
		return nil, usage(cmd, "Unexpected argument: %s", args[len(names)])
	}
	return args, nil
}

// databaseRef is the --database flag; a command that needs one cannot guess it.
func databaseRef(cmd *urfave.Command) (string, error) {
	ref := strings.TrimSpace(cmd.String(databaseFlag))
	if ref == "" {
		return "", &usageError{"No database given: use --database NAME-OR-ID, or set DBCOLLAB_DATABASE"}
	}
	return ref, nil
}

// databaseCommand is what a command on a database starts from.
type databaseCommand struct {
	// args has one argument for each name the command takes.
	args []string
	// ref is the database as --database names it: by name or by ID.
	ref    string
	client *Client
}

// startDatabaseCommand checks, in this order, the command's arguments (one for each of
// names), the --database flag and the stored log-in.
func startDatabaseCommand(cmd *urfave.Command, names ...string) (*databaseCommand, error) {
	args, err := arguments(cmd, names...)
	if err != nil {
		return nil, err
	}
	ref, err := databaseRef(cmd)
	if err != nil {
		return nil, err
	}
	client, err := loggedInClient()
	if err != nil {
		return nil, err
	}
	return &databaseCommand{args: args, ref: ref, client: client}, nil
}

// database looks up the database, so that messages can name it even when --database
// gave its ID.
func (d *databaseCommand) database(ctx context.Context) (Database, error) {
	db, err := d.client.Database(ctx, d.ref)
	if err != nil {
		return Database{}, explain(err, d.ref)
	}
	return db, nil
}

// errNotLoggedIn says how to log in.
var errNotLoggedIn = errors.New("You are not logged in: run dbcollab login --email YOUR-EMAIL")

// loggedInClient is a client with the stored (or environment's) credentials.
func loggedInClient() (*Client, error) {
	c, err := loadCredentials()
	if err != nil {
		return nil, err
	}
	if c.Token == "" {
		return nil, errNotLoggedIn
	}
	return NewClient(c.APIURL, c.Token), nil
}

// explain words the API errors every database command may get; the rest are unexpected.
func explain(err error, ref string) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch {
	case apiErr.Status == http.StatusUnauthorized:
		return errors.New("Your API token was refused: log in again with dbcollab login")
	// A 404 without the API's JSON error is some other server: the API URL is wrong.
	case apiErr.Status == http.StatusNotFound && apiErr.fromAPI:
		return fmt.Errorf("Database %s not found", ref)
	// The invitation limit: the API's message says which and when to try again.
	case apiErr.Status == http.StatusTooManyRequests && apiErr.fromAPI:
		return errors.New(apiErr.Message)
	}
	return unexpected(apiErr)
}

func unexpected(apiErr *APIError) error {
	return fmt.Errorf("Unexpected answer from the API: %v", apiErr)
}
