package service_test

import (
	"context"
	"fmt"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/internal/teststore"
	"dbcollab/service"
)

// BenchmarkInvite is one invitation through the rules: the membership and duplicate
// checks, the invitation e-mail queued, the row and its event, in one transaction.
func BenchmarkInvite(b *testing.B) {
	ctx := context.Background()
	st, _ := teststore.Open(b)
	svc := &service.Service{Store: st, BaseURL: "http://example.test", PasswordCost: bcrypt.MinCost}
	owner, err := svc.Signup(ctx, service.SignupInput{Email: "owner@example.com", Username: "owner", Password: "password-owner"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateDatabase(ctx, owner.ID, service.NewDatabaseInput{Name: dbName, Plan: service.Plans[0].ID}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		if _, _, err := svc.Invite(ctx, owner.ID, dbName, fmt.Sprintf("invitee-%d@example.com", n)); err != nil {
			b.Fatal(err)
		}
	}
}
