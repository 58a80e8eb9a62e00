package service_test

import (
	"errors"
	"reflect"
	"testing"

	"dbcollab/service"
)

func TestCollaboratorsTabIsCollaboratorsAndEventsInOneCheck(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	for _, r := range w.members() {
		t.Run(r.name, func(t *testing.T) {
			tab, err := w.svc.CollaboratorsTab(ctx, r.user.ID, dbName, 1)
			if err != nil {
				t.Fatal(err)
			}
			db, rows, err := w.svc.Collaborators(ctx, r.user.ID, dbName)
			if err != nil {
				t.Fatal(err)
			}
			_, events, more, err := w.svc.Events(ctx, r.user.ID, dbName, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range rows {
				rows[i].TokenHash, rows[i].InvitedBy = nil, 0 // a page of rows does not read them
			}
			want := service.CollaboratorsTab{Database: db, Rows: rows, Events: events, MoreEvents: more,
				Query: service.RowQuery{Page: 1, PerPage: service.RowsPerPage}, Total: len(rows)}
			if !reflect.DeepEqual(tab, want) {
				t.Errorf("CollaboratorsTab:\n%+v\nwant what Collaborators and Events say:\n%+v", tab, want)
			}
			if len(tab.Rows) != 3 || len(tab.Events) == 0 {
				t.Errorf("%d rows and %d events, want the 3 rows and the events of the world", len(tab.Rows), len(tab.Events))
			}
		})
	}
	for _, r := range []role{{"pending invitee", w.invitee}, {"stranger", w.stranger}} {
		t.Run(r.name, func(t *testing.T) {
			if _, err := w.svc.CollaboratorsTab(ctx, r.user.ID, dbName, 1); !errors.Is(err, service.ErrNotFound) {
				t.Errorf("CollaboratorsTab: %v, want ErrNotFound", err)
			}
		})
	}

	t.Run("collaborator once revoked", func(t *testing.T) {
		if _, err := w.svc.Revoke(ctx, w.owner.ID, dbName, w.collaboratorRow.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.CollaboratorsTab(ctx, w.collaborator.ID, dbName, 1); !errors.Is(err, service.ErrNotFound) {
			t.Errorf("CollaboratorsTab right after the revocation: %v, want ErrNotFound", err)
		}
	})
}
