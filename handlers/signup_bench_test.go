package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkSignupAnswer measures how long a sign-up takes at the default bcrypt cost,
// for a new address and for the address of an existing account, alternately, each from
// another client address so that the throttle stays out of it. It reports each median;
// the two answers must not tell one case from the other, in words or in time:
//
//	go test ./handlers -run '^$' -bench SignupAnswer -benchtime 20x
func BenchmarkSignupAnswer(b *testing.B) {
	benchAlikeAnswers(b, "/signup", http.StatusOK, [2]string{"ms-median-new-address", "ms-median-existing-address"},
		func(i int) string { return fmt.Sprintf("new%d@example.com", i) },
		func(i, j int, email string) url.Values {
			return url.Values{"email": {email}, "username": {fmt.Sprintf("person%d-%d", i, j)}, "password": {password}}
		})
}
