package service_test

import (
	"strings"
	"testing"

	"dbcollab/service"
)

func TestCreateDatabaseValidation(t *testing.T) {
	svc, _, _, _ := newService(t)
	owner := signup(t, svc, "owner")
	const (
		nameRule = "A name has 3 to 63 lowercase letters, digits and dashes, and starts with a letter"
		planRule = "Choose one of the plans"
	)
	plan := service.Plans[0].ID

	t.Run("valid names", func(t *testing.T) {
		for _, name := range []string{"abc", "a-1", "orders-2025", "a" + strings.Repeat("b", 62)} {
			db, err := svc.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: name, Plan: plan})
			if err != nil {
				t.Errorf("CreateDatabase(%q) = %v", name, err)
				continue
			}
			if db.Name != name || db.Plan != plan || db.OwnerID != owner.ID || !strings.HasPrefix(db.ID, "db_") {
				t.Errorf("CreateDatabase(%q) = %+v", name, db)
			}
			_, list, err := svc.Collaborators(t.Context(), owner.ID, name)
			if err != nil || len(list) != 1 || list[0].Email != owner.Email || list[0].Status != "owner" {
				t.Errorf("%s's collaborators = %q, %v; want its owner only", name, table(list), err)
			}
		}
	})

	t.Run("every plan of the list", func(t *testing.T) {
		for i, p := range service.Plans {
			name := "plan-" + string(rune('a'+i))
			if _, err := svc.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: name, Plan: p.ID}); err != nil {
				t.Errorf("plan %s: %v", p.ID, err)
			}
		}
	})
	created, err := svc.Databases(t.Context(), owner.ID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("invalid names", func(t *testing.T) {
		for _, name := range []string{"", "ab", "a" + strings.Repeat("b", 63), "1abc", "-abc", "Abc", "ABC",
			"a_b", "a b", " abc", "abc\n", "ab.c", "ünï", "db_0123", "<script>"} {
			_, err := svc.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: name, Plan: plan})
			if got := service.ByField(err); len(got) != 1 || got["name"] != nameRule {
				t.Errorf("CreateDatabase(%q) errors = %q, want the name rule", name, got)
			}
		}
	})

	t.Run("invalid plans", func(t *testing.T) {
		for _, p := range []string{"", "free", service.Plans[0].Label, strings.ToUpper(plan)} {
			_, err := svc.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: "fine-name", Plan: p})
			if got := service.ByField(err); len(got) != 1 || got["plan"] != planRule {
				t.Errorf("CreateDatabase(plan %q) errors = %q, want the plan rule", p, got)
			}
		}
	})

	t.Run("both fields wrong are reported together", func(t *testing.T) {
		_, err := svc.CreateDatabase(t.Context(), owner.ID, service.NewDatabaseInput{Name: "X", Plan: "free"})
		if got := service.ByField(err); got["name"] != nameRule || got["plan"] != planRule {
			t.Errorf("errors = %q, want both rules", got)
		}
	})

	t.Run("a name is unique, whoever owns it", func(t *testing.T) {
		other := signup(t, svc, "other")
		_, err := svc.CreateDatabase(t.Context(), other.ID, service.NewDatabaseInput{Name: "abc", Plan: plan})
		wantError(t, err, service.Conflict, "name", "A database already has this name; choose another")
		if list, _ := svc.Databases(t.Context(), other.ID); len(list) != 0 {
			t.Errorf("the refused database was stored: %v", list)
		}
	})

	if list, _ := svc.Databases(t.Context(), owner.ID); len(list) != len(created) {
		t.Errorf("the owner has %d databases after the refusals, want %d", len(list), len(created))
	}
}
