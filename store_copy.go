package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/urfave/cli/v3"

	dbcli "dbcollab/cli"
	"dbcollab/store"
)

func storeCopyCommand() *cli.Command {
	return &cli.Command{
		Name:         "store-copy",
		Usage:        "copy a SQLite store into an empty PostgreSQL one, to run several instances on it",
		OnUsageError: dbcli.OnUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Required: true, Usage: "SQLite file of the store to copy"},
			&cli.StringFlag{Name: "to", Required: true, Usage: "postgres://USER@HOST:PORT/DBNAME of the empty store to fill"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return storeCopy(ctx, cmd.String("from"), cmd.String("to"), os.Stdout)
		},
	}
}

// storeCopy runs the copy and prints each table's counts, then a one-line result.
func storeCopy(ctx context.Context, from, to string, out io.Writer) error {
	counts, err := store.Copy(ctx, from, to)
	if len(counts) > 0 {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "table\tSQLite\tPostgreSQL")
		for _, c := range counts {
			fmt.Fprintf(tw, "%s\t%d\t%d\n", c.Table, c.Source, c.Target)
		}
		tw.Flush()
	}
	if err != nil {
		return err
	}
	var rows int64
	for _, c := range counts {
		rows += c.Target
	}
	fmt.Fprintf(out, "copied %d rows in %d tables from %s to %s: every count matches\n", rows, len(counts), from, redacted(to))
	return nil
}

// redacted is the URL without its password, for the output.
func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the target"
	}
	return u.Redacted()
}
