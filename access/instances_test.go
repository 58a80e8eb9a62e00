package access_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"dbcollab/access"
	"dbcollab/internal/teststore"
	"dbcollab/store"
)

// syncBuffer is a log both runners write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Two instances on one store, each with its runner: every access job is applied once,
// and none fails.
func TestTwoRunnersOnOneStoreApplyEachJobOnce(t *testing.T) {
	e := newEnvRunning(t, false)
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	second, err := store.Open(e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runners []*access.Server
	for _, st := range []*store.Store{e.st, second} {
		pg, err := access.New(e.cluster.AdminURL(), st, log)
		if err != nil {
			t.Fatal(err)
		}
		runners = append(runners, pg)
		wg.Go(func() { pg.Run(ctx, 0) })
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, pg := range runners {
			pg.Close()
		}
	})
	e.svc.AccessJobsQueued = func() {
		for _, pg := range runners {
			pg.Wake()
		}
	}

	owner, member := e.user(t, "owner"), e.user(t, "member")
	const databases = 6
	for range databases {
		e.member(t, owner, e.database(t, owner), member)
	}
	db := teststore.SQL(t, e.dsn)
	// A runner logs a job after its commit, so the store can say done a moment before the log does.
	doneLine := regexp.MustCompile(`msg="access job done" kind=(\S+) ref=(\S+)`)
	waitFor(t, 30*time.Second, "every job done and logged", func() bool {
		return unfinishedJobs(t, db) == 0 && len(doneLine.FindAllString(logs.String(), -1)) >= 2*databases
	})

	out := logs.String()
	if bad := regexp.MustCompile(`level=(WARN|ERROR).*`).FindAllString(out, -1); len(bad) > 0 {
		t.Errorf("the runners failed or clashed:\n%s", bad)
	}
	done := map[string]int{}
	for _, m := range doneLine.FindAllStringSubmatch(out, -1) {
		done[m[1]+" "+m[2]]++
	}
	if len(done) != 2*databases {
		t.Errorf("%d jobs done, want %d (the owner's and the member's grants per database): %v", len(done), 2*databases, done)
	}
	for job, n := range done {
		if n != 1 {
			t.Errorf("job %s done %d times, want once", job, n)
		}
	}
	if kinds := e.jobsDone(t); len(kinds) != 2*databases {
		t.Errorf("jobs done in the store: %v, want %d", kinds, 2*databases)
	}
}

// unfinishedJobs counts the access jobs not done yet in the store db is open on.
func unfinishedJobs(t testing.TB, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM outbox WHERE kind != 'email' AND sent_at IS NULL AND failed_at IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
