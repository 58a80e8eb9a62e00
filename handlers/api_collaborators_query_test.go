package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// listed GETs the demo database's collaborators with query as the owner: the addresses
// listed and the total said.
func (w *apiWorld) listed(t *testing.T, query url.Values) ([]string, int) {
	t.Helper()
	var out struct {
		Collaborators []struct {
			Email string `json:"email"`
		} `json:"collaborators"`
		Total int `json:"total"`
	}
	w.get(w.collaboratorsPath("?"+query.Encode()), w.auth["owner"]).expect(t, http.StatusOK).decode(t, &out)
	var emails []string
	for _, m := range out.Collaborators {
		emails = append(emails, m.Email)
	}
	return emails, out.Total
}

func TestAPICollaboratorsSearchFilterAndPages(t *testing.T) {
	w := newAPIWorld(t)
	for _, email := range []string{"dan%x@example.com", "eve_1@example.com"} {
		w.post(w.collaboratorsPath(""), w.auth["owner"], `{"collaborator": {"email": "`+email+`"}}`).expect(t, http.StatusCreated)
	}
	all := []string{"user1@example.com", "user2@example.com", "user3@example.com", "dan%x@example.com", "eve_1@example.com"}
	for _, c := range []struct {
		name  string
		query url.Values
		want  []string
		total int
	}{
		{"no parameter: every row", url.Values{}, all, 5},
		{"by e-mail, any case", url.Values{"q": {"USER2@"}}, []string{"user2@example.com"}, 1},
		{"by username", url.Values{"q": {"sEr1"}}, []string{"user1@example.com"}, 1},
		{"% is a character", url.Values{"q": {"%"}}, []string{"dan%x@example.com"}, 1},
		{"_ is a character", url.Values{"q": {"_"}}, []string{"eve_1@example.com"}, 1},
		{"no match", url.Values{"q": {"nobody"}}, nil, 0},
		{"accepted", url.Values{"status": {"accepted"}}, []string{"user2@example.com"}, 1},
		{"pending", url.Values{"status": {"pending"}}, all[2:], 3},
		{"expired", url.Values{"status": {"expired"}}, nil, 0},
		{"all", url.Values{"status": {"all"}, "q": {"example"}}, all, 5},
		{"first page of 2", url.Values{"per_page": {"2"}}, all[:2], 5},
		{"third page of 2", url.Values{"per_page": {"2"}, "page": {"3"}}, all[4:], 5},
		{"past the last page", url.Values{"per_page": {"2"}, "page": {"4"}}, nil, 5},
		{"a page without per_page has 50", url.Values{"page": {"1"}}, all, 5},
		{"pending, page 2 of 2", url.Values{"status": {"pending"}, "per_page": {"2"}, "page": {"2"}}, all[4:], 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total := w.listed(t, c.query)
			if !slices.Equal(got, c.want) || total != c.total {
				t.Errorf("%s: %q, total %d; want %q, total %d", c.query.Encode(), got, total, c.want, c.total)
			}
		})
	}
}

func TestAPICollaboratorsRefusesBadQueries(t *testing.T) {
	w := newAPIWorld(t)
	for _, c := range []struct{ query, field, message string }{
		{"status=owner", "status", "Status must be all, accepted, pending or expired"},
		{"status=Pending", "status", "Status must be all, accepted, pending or expired"},
		{"page=0", "page", "Page must be a whole number from 1 to 1000000"},
		{"page=-1", "page", "Page must be a whole number from 1 to 1000000"},
		{"page=%2B2", "page", "Page must be a whole number from 1 to 1000000"},
		{"page=99999999999999999999", "page", "Page must be a whole number from 1 to 1000000"},
		{"per_page=1001", "per_page", "Rows per page must be a whole number from 1 to 1000"},
		{"per_page=ten", "per_page", "Rows per page must be a whole number from 1 to 1000"},
		{"q=" + strings.Repeat("a", 255), "q", "Search at most 254 characters"},
		{"q=%FF", "q", "Search must be text"},
		{"q=a%00b", "q", "Search must not hold control characters"},
	} {
		t.Run(c.query, func(t *testing.T) {
			w.get(w.collaboratorsPath("?"+c.query), w.auth["owner"]).expectFieldError(t, http.StatusUnprocessableEntity, c.field, c.message)
		})
	}
	// A stranger learns nothing more from a good query than from none.
	w.get(w.collaboratorsPath("?q=user&per_page=1"), w.auth["stranger"]).expectError(t, http.StatusNotFound, "Database my-dedicated-db not found")
}
