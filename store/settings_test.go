package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestSettingOrCreateKeepsTheFirstValue(t *testing.T) {
	s, path := openTestStore(t)
	ctx := context.Background()
	first, err := s.SettingOrCreate(ctx, "session-keys", []byte("first"))
	if err != nil || string(first) != "first" {
		t.Fatalf("first SettingOrCreate = %q, %v; want the candidate", first, err)
	}
	if got, err := s.SettingOrCreate(ctx, "session-keys", []byte("second")); err != nil || string(got) != "first" {
		t.Errorf("second SettingOrCreate = %q, %v; want the first value", got, err)
	}
	if got, err := s.SettingOrCreate(ctx, "other", []byte("other")); err != nil || string(got) != "other" {
		t.Errorf("another key = %q, %v; want its own candidate", got, err)
	}

	s.Close()
	reopened, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if got, err := reopened.SettingOrCreate(ctx, "session-keys", []byte("after restart")); err != nil || string(got) != "first" {
		t.Errorf("after re-open = %q, %v; want the first value", got, err)
	}
}

func TestSettingOrCreateAgreesUnderConcurrency(t *testing.T) {
	s, _ := openTestStore(t)
	const n = 20
	values := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := s.SettingOrCreate(context.Background(), "key", fmt.Appendf(nil, "candidate-%d", i))
			values[i], errs[i] = string(v), err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || values[i] != values[0] {
			t.Errorf("caller %d got %q, %v; caller 0 got %q: every caller must get the same stored value",
				i, values[i], errs[i], values[0])
		}
	}
}
