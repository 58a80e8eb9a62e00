package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	urfave "github.com/urfave/cli/v3"
)

// say prints a line of success the way the reference CLI does: "-----> ...".
func say(w io.Writer, format string, args ...any) error {
	_, err := fmt.Fprintf(w, "-----> "+format+"\n", args...)
	return err
}

// warn prints a warning on stderr, marked as errors are, for something that worked.
func warn(w io.Writer, message string) {
	fmt.Fprintln(w, " !     "+message)
}

// writeCollaborators prints the reference CLI's table: tablewriter's default style,
// with "n/a" for the username of a pending invitation. The table is rendered whole
// before any of it is written, so that a failure leaves nothing on stdout.
func writeCollaborators(w io.Writer, list []Collaborator) error {
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf)
	table.Header("EMAIL", "USERNAME", "STATUS", "ROLE")
	for _, c := range list {
		username := "n/a"
		if c.Username != nil && *c.Username != "" {
			username = *c.Username
		}
		if err := table.Append(c.Email, username, c.Status, c.Role); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ExitCode reports err on w, each line as " !     message", and returns the process's
// exit status: 0 without an error, 2 for a command used the wrong way, 1 otherwise.
func ExitCode(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		fmt.Fprintln(w, " !     "+line)
	}
	var usageErr *usageError
	// urfave/cli's own exit errors come from "help" asked about an unknown command.
	var helpErr urfave.ExitCoder
	if errors.As(err, &usageErr) || errors.As(err, &helpErr) {
		return 2
	}
	return 1
}
