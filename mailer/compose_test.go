package mailer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

var invitation = InvitationData{
	DatabaseName: "orders-db", InviterName: "olivia", InviterEmail: "olivia@example.com",
	Link:      "https://dbcollab.example/invitations/s3cr3t-t0ken_with-dashes-and_underscores-0123456789",
	ExpiresAt: time.Date(2026, 12, 8, 21, 15, 0, 0, time.FixedZone("CET", 3600)),
}

const (
	expirySentence  = "The link expires on Tue 8 Dec 2026 at 20:15 UTC."
	accountSentence = "The invitation must be accepted by an account using pia@example.com: sign up or log in with this address."
)

func TestInvitationSaysWhenItExpiresAndWhichAccountMustAcceptIt(t *testing.T) {
	e := Invitation("pia@example.com", invitation)
	if !strings.Contains(e.Text, expirySentence+" "+accountSentence) {
		t.Errorf("the text does not say when the link expires and who must accept it:\n%s", e.Text)
	}
	doc := parseHTML(t, e.HTML)
	if got := strings.Join(strings.Fields(doc.Find("p").Text()), " "); !strings.Contains(got, expirySentence+" "+accountSentence) {
		t.Errorf("the HTML does not say when the link expires and who must accept it:\n%s", got)
	}
}

func TestInvitationRepliesGoToTheInviter(t *testing.T) {
	e := Invitation("pia@example.com", invitation)
	if e.ReplyTo != "olivia@example.com" {
		t.Fatalf("ReplyTo %q, want the inviter's address", e.ReplyTo)
	}
	d, err := NewSMTP("smtp://127.0.0.1:1", "dbcollab <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.message(e)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := m.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(raw.String(), "\r\nReply-To: <olivia@example.com>\r\n") {
		t.Errorf("no Reply-To header to the inviter:\n%s", raw.String())
	}
	if m, _ := d.message(Notice("pia@example.com", "s", "x", "https://dbcollab.example/")); len(m.GetReplyTo()) != 0 {
		t.Errorf("a notice has Reply-To %v", m.GetReplyTo())
	}
}

// Outlook's Word engine ignores padding and background on a link: the button is a
// table cell holding the link.
func TestInvitationButtonIsATableCell(t *testing.T) {
	doc := parseHTML(t, Invitation("pia@example.com", invitation).HTML)
	cell := doc.Find(`table[role=presentation] td[bgcolor]`)
	if cell.Length() != 1 || !strings.Contains(cell.AttrOr("style", ""), "padding") {
		t.Fatalf("no table cell with a background and padding for the button")
	}
	link := cell.Find("a")
	if link.AttrOr("href", "") != invitation.Link || strings.TrimSpace(link.Text()) != "Accept the invitation" {
		t.Errorf("the button links to %q and says %q", link.AttrOr("href", ""), link.Text())
	}
}

func TestInvitationTextLinkDoesNotBreakInsideTheToken(t *testing.T) {
	e := Invitation("pia@example.com", invitation)
	if !strings.Contains(e.Text, "\n"+invitation.Link+"\n") {
		t.Errorf("the text's link is not on a line of its own:\n%s", e.Text)
	}
	doc := parseHTML(t, e.HTML)
	shown := doc.Find("[data-link]")
	if got := shown.Text(); got != invitation.Link {
		t.Errorf("the link shown as text is %q, want %q", got, invitation.Link)
	}
	token := shown.Find("[data-token]")
	if token.Text() != "s3cr3t-t0ken_with-dashes-and_underscores-0123456789" || !strings.Contains(token.AttrOr("style", ""), "white-space: nowrap") {
		t.Errorf("the token %q (style %q) may wrap inside", token.Text(), token.AttrOr("style", ""))
	}
}

func parseHTML(t *testing.T, html string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
