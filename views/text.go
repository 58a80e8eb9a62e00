package views

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// text is a string that @text(s) writes HTML-escaped by templ.EscapeString, as { s }
// does, without the two allocations { s } costs (templ.JoinStringErrs formats it with
// fmt.Sprint): for what the tab writes in each of its rows.
type text string

func (t text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}
