package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dbcollab/service"
)

// BenchmarkSignupAnswer measures how long a sign-up takes at the default bcrypt cost,
// for a new address and for the address of an existing account, alternately, each from
// another client address so that the throttle stays out of it. It reports each median;
// the two answers must not tell one case from the other, in words or in time:
//
//	go test ./handlers -run '^$' -bench SignupAnswer -benchtime 20x
func BenchmarkSignupAnswer(b *testing.B) {
	p := newInProcess(b, bcrypt.DefaultCost)
	var fresh, existing []time.Duration
	var bodies [2]string
	for i := 0; b.Loop(); i++ {
		known := fmt.Sprintf("known%d@example.com", i)
		if _, err := p.svc.Signup(b.Context(), service.SignupInput{Email: known, Username: fmt.Sprintf("known%d", i), Password: password}); err != nil {
			b.Fatal(err)
		}
		for j, email := range []string{fmt.Sprintf("new%d@example.com", i), known} {
			req := p.request(http.MethodPost, "/signup", "application/x-www-form-urlencoded",
				url.Values{"email": {email}, "username": {fmt.Sprintf("person%d-%d", i, j)}, "password": {password}}.Encode(), false)
			req.RemoteAddr = fmt.Sprintf("198.51.100.%d:4321", (2*i+j)%250)
			start := time.Now()
			rec := p.serve(req)
			took := time.Since(start)
			if rec.Code != http.StatusOK {
				b.Fatalf("%s: %d", email, rec.Code)
			}
			bodies[j] = strings.ReplaceAll(rec.Body.String(), email, "{email}")
			if j == 0 {
				fresh = append(fresh, took)
			} else {
				existing = append(existing, took)
			}
		}
		if bodies[0] != bodies[1] {
			b.Fatalf("the answers differ:\n%s\n---\n%s", bodies[0], bodies[1])
		}
	}
	b.ReportMetric(float64(median(fresh))/1e6, "ms-median-new-address")
	b.ReportMetric(float64(median(existing))/1e6, "ms-median-existing-address")
}
