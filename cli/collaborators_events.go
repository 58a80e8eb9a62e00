package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	urfave "github.com/urfave/cli/v3"

	"dbcollab/service"
)

func collaboratorsEventsCommand() *urfave.Command {
	return &urfave.Command{
		Name:      "collaborators-events",
		Usage:     "show who joined, left or was invited to a database, newest first",
		UsageText: "dbcollab --database NAME-OR-ID collaborators-events",
		Description: "Prints one line per membership event, newest first, with its time in UTC:\n" +
			"invitations, resends, acceptances, expiries, revocations and departures.",
		OnUsageError: OnUsageError,
		Action:       listEvents,
	}
}

func listEvents(ctx context.Context, cmd *urfave.Command) error {
	d, err := startDatabaseCommand(cmd)
	if err != nil {
		return err
	}
	var all []Event
	for page := 1; ; page++ {
		events, err := d.client.Events(ctx, d.ref, page)
		if err != nil {
			return explain(err, d.ref)
		}
		all = append(all, events...)
		// The API answers eventsPerPage at a time: a shorter page is the last.
		if len(events) < eventsPerPage {
			break
		}
	}
	return writeEvents(cmd.Root().Writer, all)
}

// eventsPerPage is the API's page size of /events.
const eventsPerPage = 25

// writeEvents prints "2026-11-27 10:00:00  user1 invited user3@example.com" lines. They
// are written at once, so that a failure leaves nothing on stdout.
func writeEvents(w io.Writer, events []Event) error {
	var buf bytes.Buffer
	for _, e := range events {
		fmt.Fprintf(&buf, "%s  %s\n", e.At.UTC().Format(time.DateTime), describeEvent(e))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// describeEvent words e as the dashboard's Activity does.
func describeEvent(e Event) string {
	actor := ""
	if e.Actor != nil {
		actor = *e.Actor
	}
	return service.DescribeEvent(e.Type, actor, e.Target)
}
