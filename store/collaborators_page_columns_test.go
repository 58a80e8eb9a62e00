package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestCollaboratorsPageReadsNoTokenHashNorInviterID: a page's rows are the list's, with
// the same database, names, dates and delivery, less the invitation tokens' hashes and
// the inviters' IDs, which a page has no use for (and each column read costs every row
// of it).
func TestCollaboratorsPageReadsNoTokenHashNorInviterID(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	tm := newTeam(t, s)
	tm.invite(t, s, "dan@example.com", "t1")
	bobRow := tm.invite(t, s, "bob@example.com", "t2")
	mail := Email{To: "erin@example.com", Subject: "Invitation", Text: "link", HTML: "<p>link</p>", CreatedAt: testClock}
	err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.AcceptInvitation(ctx, bobRow.ID, tm.bob.ID, testClock.Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.EnqueueEmail(ctx, &mail); err != nil {
			return err
		}
		return tx.MarkEmailFailed(ctx, mail.ID, "connection refused", testClock.Add(2*time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	insertRow(t, s, Collaborator{DatabaseID: tm.db.ID, Email: mail.To, Status: StatusPending, InvitedBy: tm.owner.ID,
		TokenHash: tokenHash("t3"), InvitedAt: testClock, SentAt: testClock, EmailID: mail.ID})
	list, err := s.Collaborators(ctx, tm.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := s.CollaboratorsPage(ctx, tm.db.ID, RowFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 4 || len(list) != 4 {
		t.Fatalf("%d rows on the page, %d in the list, want 4", len(page), len(list))
	}
	for i := range list {
		want := list[i]
		want.TokenHash, want.InvitedBy = nil, 0
		if !reflect.DeepEqual(page[i], want) {
			t.Errorf("row %d on the page:\n%+v\nwant\n%+v", i, page[i], want)
		}
	}
}
