package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkForgotPasswordAnswer measures how long asking for a password reset link
// takes, for an address without an account and for an existing account's, alternately,
// each from another client address so that the throttle stays out of it. It reports
// each median; the two answers must not tell one case from the other, in words or in
// time:
//
//	go test ./handlers -run '^$' -bench ForgotPasswordAnswer -benchtime 200x
func BenchmarkForgotPasswordAnswer(b *testing.B) {
	benchAlikeAnswers(b, "/password/forgot", http.StatusOK, [2]string{"ms-median-unknown-address", "ms-median-existing-address"},
		func(i int) string { return fmt.Sprintf("nobody%d@example.com", i) },
		func(_, _ int, email string) url.Values { return url.Values{"email": {email}} })
}
