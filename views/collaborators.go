package views

import (
	"fmt"
	"strconv"

	"dbcollab/links"
	"dbcollab/service"
	"dbcollab/store"
)

// AddForm is the Add form as posted: what was typed and its errors and, when several
// addresses were posted, each one refused with why.
type AddForm struct {
	Form
	Refused []Refusal
}

// Refusal is an address the Add form did not invite, and the rule's reason.
type Refusal struct{ Address, Reason string }

const maxInvitesAtOnce = service.MaxInvitesAtOnce

// isInvitation reports whether m is an invitation not accepted yet, expired or not.
func isInvitation(m store.Collaborator) bool {
	return m.Status == store.StatusPending || m.Status == store.StatusExpired
}

func displayUsername(m store.Collaborator) string {
	if isInvitation(m) {
		return "n/a"
	}
	return m.Username
}

// revokeQuestion says what revoking row m will do, from the viewer's point of view.
func revokeQuestion(viewer *store.User, db store.Database, m store.Collaborator) string {
	switch {
	case m.UserID == viewer.ID:
		return fmt.Sprintf("You will stop collaborating on %s and lose access to it.", db.Name)
	case isInvitation(m):
		return fmt.Sprintf("The invitation of %s to %s will be cancelled and its link will stop working.", m.Email, db.Name)
	default:
		return fmt.Sprintf("%s will lose access to %s.", m.Email, db.Name)
	}
}

// revokeKind names the question a row's Revoke access asks: that of the revokeDialog
// attribute data-self, data-invitation or data-any.
func revokeKind(viewer *store.User, m store.Collaborator) string {
	switch {
	case m.UserID == viewer.ID:
		return "self"
	case isInvitation(m):
		return "invitation"
	default:
		return "any"
	}
}

// questionRow is a row of that status and account whose address is "{email}", for the
// questions the popups fill in with the address of the row they are opened from.
func questionRow(status string, userID int64) store.Collaborator {
	return store.Collaborator{Email: "{email}", Status: status, UserID: userID}
}

// appendRowAction appends the URL of action ("revoke", "owner" or "resend") on row id
// relative to the tab, "collaborators/12/revoke": links.Revoke and the others less the
// tab's directory (TestRowActionIsTheLinkFromTheTab). A page of a hundred rows then does
// not spell the database's path in each of its 250 links, which resolve the same from
// the tab opened by the database's name or ID, with or without a query.
func appendRowAction(b []byte, id int64, action string) []byte {
	b = strconv.AppendInt(append(b, "collaborators/"...), id, 10)
	return append(append(b, '/'), action...)
}

// mayMakeOwner reports whether the viewer, the owner, may hand db to row m: an accepted collaborator.
func mayMakeOwner(viewer *store.User, db store.Database, m store.Collaborator) bool {
	return db.OwnerID == viewer.ID && m.Status == store.StatusAccepted
}

// transferQuestion says what making row m the owner will do.
func transferQuestion(db store.Database, m store.Collaborator) string {
	return fmt.Sprintf("%s will become the owner of %s. You will stay on as a collaborator, and only %s will be able to transfer it again.", m.Email, db.Name, m.Email)
}

func describeEvent(e store.Event) string {
	return service.DescribeEvent(e.Type, e.ActorName, e.Target)
}

type statusOption struct{ value, status, label string }

// statusOptions are the status filter's choices: the value in the URL, the status it
// chooses ("" for every row) and its label.
var statusOptions = []statusOption{
	{"all", "", "All"},
	{store.StatusAccepted, store.StatusAccepted, "Accepted"},
	{store.StatusPending, store.StatusPending, "Pending"},
	{store.StatusExpired, store.StatusExpired, "Expired"},
}

// tabPage is the URL of the tab with v's search and status, rows page rowsPage and
// Activity page activityPage (0: the first, left out).
func tabPage(v CollaboratorsView, rowsPage, activityPage int) string {
	return links.TabPage(v.Database.Name, v.Query.Search, v.Query.Status, rowsPage, activityPage)
}

// lastPage is the number of the last page of rows (1 when there is none).
func lastPage(v CollaboratorsView) int {
	if v.Query.PerPage <= 0 || v.Total == 0 {
		return 1
	}
	return (v.Total + v.Query.PerPage - 1) / v.Query.PerPage
}

// rowCount says which rows the page shows: "1–50 of 1,000".
func rowCount(v CollaboratorsView) string {
	switch {
	case v.Total == 0:
		return "No collaborator matches"
	case len(v.Rows) == 0:
		return "No rows on this page, of " + thousands(v.Total)
	}
	first := 1
	if v.Query.PerPage > 0 {
		first = (v.Query.Page-1)*v.Query.PerPage + 1
	}
	return thousands(first) + "–" + thousands(first+len(v.Rows)-1) + " of " + thousands(v.Total)
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// laterActivityPage is the Activity page to keep in the rows' links: 0 for the first.
func laterActivityPage(v CollaboratorsView) int {
	if v.EventsPage > 1 {
		return v.EventsPage
	}
	return 0
}
