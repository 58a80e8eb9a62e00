package store

import "testing"

// OpenTestStore opens a fresh store for the package's external tests: see openTestStore.
func OpenTestStore(t testing.TB) *Store {
	s, _ := openTestStore(t)
	return s
}
