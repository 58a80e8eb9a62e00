package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJobQueueRunsRevocationsFirstAndKeepsEmailsApart(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	enqueueJob := func(kind, ref string, at time.Time) {
		t.Helper()
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.EnqueueJob(ctx, kind, ref, at) }); err != nil {
			t.Fatal(err)
		}
	}
	mail := enqueue(t, s, "someone@example.com", testClock)
	enqueueJob(JobGrantAccess, "grant-early", testClock)
	enqueueJob(JobCreateDatabase, "create", testClock.Add(time.Second))
	enqueueJob(JobRevokeAccess, "revoke-late", testClock.Add(2*time.Second))
	enqueueJob(JobRevokeAccess, "revoke-future", testClock.Add(time.Hour))

	now := testClock.Add(3 * time.Second)
	var order []string
	for {
		j, err := s.NextDueJob(ctx, now)
		if errors.Is(err, ErrNotFound) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		order = append(order, j.Ref)
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkJobDone(ctx, j.ID, now) }); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"revoke-late", "create", "grant-early", "revoke-future"}
	if len(order) != len(want) {
		t.Fatalf("jobs in order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("jobs in order %v, want %v (due revocations first, then by kind, then the one not due)", order, want)
		}
	}
	if got, err := s.NextDueEmail(ctx); err != nil || got.ID != mail.ID {
		t.Errorf("NextDueEmail = %+v, %v; want the one e-mail, untouched by the jobs", got, err)
	}

	t.Run("a failed job waits for its retry, and RetryJobsNow makes it due", func(t *testing.T) {
		enqueueJob(JobGrantAccess, "failing", now)
		j, err := s.NextDueJob(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		later := now.Add(time.Minute)
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.MarkJobFailed(ctx, j.ID, "connection refused", later) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.NextDueJob(ctx, now); !got.NextAttemptAt.Equal(later) || got.Attempts != 1 || got.LastError != "connection refused" {
			t.Errorf("failed job = %+v, want 1 attempt, its error, due at %v", got, later)
		}
		if err := s.Tx(ctx, func(tx WriteTx) error { return tx.RetryJobsNow(ctx, now) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.NextDueJob(ctx, now); !got.NextAttemptAt.Equal(now) {
			t.Errorf("after RetryJobsNow the job is due at %v, want %v", got.NextAttemptAt, now)
		}
		if got, _ := s.NextDueEmail(ctx); !got.NextAttemptAt.Equal(testClock) {
			t.Errorf("RetryJobsNow moved an e-mail: due at %v", got.NextAttemptAt)
		}
	})
}

// Each access state the Collaborators tab shows moves the database's version, and only its own.
func TestAccessStatesMoveTheirDatabasesVersion(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	db := createDatabase(t, s, "db_1", "orders", owner)
	other := createDatabase(t, s, "db_2", "other", owner)
	write := func(fn func(tx WriteTx) error) {
		t.Helper()
		if err := s.Tx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	version := func(id string) int64 {
		t.Helper()
		d, err := s.DatabaseByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Version
	}
	write(func(tx WriteTx) error {
		return tx.InsertAccessDatabase(ctx, AccessDatabase{DatabaseID: db.ID, PgName: "orders", GroupRole: "dbc_g_1", CreatedAt: testClock})
	})
	role := AccessRole{DatabaseID: db.ID, UserID: owner.ID, RoleName: "dbc_m_1", Verifier: "v", CreatedAt: testClock}
	for _, c := range []struct {
		name  string
		write func(tx WriteTx) error
	}{
		{"granting", func(tx WriteTx) error { return tx.InsertAccessRole(ctx, &role) }},
		{"failing", func(tx WriteTx) error { return tx.RecordAccessRoleFailure(ctx, "dbc_m_1", "connection refused") }},
		{"active", func(tx WriteTx) error { return tx.SetAccessRoleState(ctx, "dbc_m_1", AccessActive) }},
		{"revoking", func(tx WriteTx) error { return tx.SetAccessRoleState(ctx, "dbc_m_1", AccessRevoking) }},
		{"gone", func(tx WriteTx) error { return tx.DeleteAccessRole(ctx, "dbc_m_1") }},
	} {
		before, otherBefore := version(db.ID), version(other.ID)
		write(c.write)
		if version(db.ID) == before {
			t.Errorf("%s: the version stayed at %d", c.name, before)
		}
		if version(other.ID) != otherBefore {
			t.Errorf("%s: another database's version moved", c.name)
		}
	}
	t.Run("one live role per member and database", func(t *testing.T) {
		write(func(tx WriteTx) error {
			return tx.InsertAccessRole(ctx, &AccessRole{DatabaseID: db.ID, UserID: owner.ID, RoleName: "dbc_m_2", Verifier: "v", CreatedAt: testClock})
		})
		err := s.Tx(ctx, func(tx WriteTx) error {
			return tx.InsertAccessRole(ctx, &AccessRole{DatabaseID: db.ID, UserID: owner.ID, RoleName: "dbc_m_3", Verifier: "v", CreatedAt: testClock})
		})
		if !errors.Is(err, ErrDuplicate) {
			t.Errorf("a second live role: err = %v, want ErrDuplicate", err)
		}
	})
}

// A page of members reads their roles and the roles being revoked, and the sessions'
// roles by name, through indexes: never every role of a database of many members.
func TestAccessRolesOfAPageAreReadWithoutTheOthers(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	owner := createUser(t, s, "owner@example.com", "owner")
	db := createDatabase(t, s, "db_1", "orders", owner)
	err := s.Tx(ctx, func(tx WriteTx) error {
		if err := tx.InsertAccessDatabase(ctx, AccessDatabase{DatabaseID: db.ID, PgName: "orders", GroupRole: "dbc_g_1", CreatedAt: testClock}); err != nil {
			return err
		}
		for i := range 5 {
			u := User{Email: fmt.Sprintf("m%d@example.com", i), Username: fmt.Sprintf("m%d", i), PasswordHash: "hash", CreatedAt: testClock}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			if err := tx.InsertAccessRole(ctx, &AccessRole{DatabaseID: db.ID, UserID: u.ID, RoleName: fmt.Sprintf("dbc_m_%d", i), Verifier: "v", CreatedAt: testClock}); err != nil {
				return err
			}
		}
		return tx.SetAccessRoleState(ctx, "dbc_m_4", AccessRevoking)
	})
	if err != nil {
		t.Fatal(err)
	}
	names := func(roles []AccessRole, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var list []string
		for _, r := range roles {
			list = append(list, r.RoleName)
		}
		return list
	}
	byEmail := func(email string) int64 {
		t.Helper()
		u, err := s.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	shown := names(s.AccessRolesShown(ctx, db.ID, []int64{byEmail("m1@example.com"), byEmail("m2@example.com")}))
	if want := []string{"dbc_m_1", "dbc_m_2", "dbc_m_4"}; !slices.Equal(shown, want) {
		t.Errorf("roles shown for m1 and m2 = %v, want theirs and the one being revoked %v", shown, want)
	}
	if got := names(s.AccessRolesShown(ctx, db.ID, nil)); !slices.Equal(got, []string{"dbc_m_4"}) {
		t.Errorf("roles shown for nobody = %v, want the one being revoked", got)
	}
	if got := names(s.AccessRolesNamed(ctx, db.ID, []string{"dbc_m_3", "dbc_m_0", "postgres"})); !slices.Equal(got, []string{"dbc_m_0", "dbc_m_3"}) {
		t.Errorf("roles named = %v, want dbc_m_0 and dbc_m_3", got)
	}
	if got := names(s.AccessRolesNamed(ctx, "db_other", []string{"dbc_m_3"})); len(got) != 0 {
		t.Errorf("roles named on another database = %v, want none", got)
	}

	for what, q := range map[string][]any{
		"shown": {accessRolesShown, db.ID, db.ID, "[1,2]"},
		"named": {accessRolesNamed, `["dbc_m_1"]`, db.ID},
	} {
		query := q[0].(perDialect).of(s.Conn)
		if onPostgres {
			if plan := postgresPlan(t, s, query, q[1:]...); strings.Contains(plan, "Seq Scan on access_roles") {
				t.Errorf("%s reads every role: %s", what, plan)
			}
			continue
		}
		rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, q[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN r") {
				t.Errorf("%s reads every role: %v", what, plan)
			}
		}
	}
}
