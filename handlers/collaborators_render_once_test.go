package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"dbcollab/store"
)

// The views that miss a tab while it is being rendered share that render, and only
// views of the same state do.

var (
	renderKey      = collaboratorsKey{userID: 7, ref: "my-db", page: 1, csrf: "token", gzip: true}
	renderDatabase = store.Database{ID: "db_1", Name: "my-db", Version: 3}
)

// missing starts n views of key at db's version that all miss the cache, each
// rendering with render, and returns what each got, once they are done.
func missing(cc *collaboratorsCache, n int, key collaboratorsKey, db store.Database, render func() (cachedAnswer, error)) func() ([]cachedAnswer, []error) {
	answers, errs := make([]cachedAnswer, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = cc.renderOnce(key, db, liveSessions{}, time.Now(), render) })
	}
	return func() ([]cachedAnswer, []error) {
		wg.Wait()
		return answers, errs
	}
}

// blockedRender renders a tab of db once release is closed, counting its renders.
func blockedRender(db store.Database, release <-chan struct{}, renders *atomic.Int32) func() (cachedAnswer, error) {
	return func() (cachedAnswer, error) {
		n := renders.Add(1)
		<-release
		return cachedAnswer{body: fmt.Appendf(nil, "render %d", n), databaseID: db.ID, version: db.Version}, nil
	}
}

func TestViewsMissingATabMeanwhileShareItsRender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cc collaboratorsCache
		var renders atomic.Int32
		release := make(chan struct{})
		done := missing(&cc, 16, renderKey, renderDatabase, blockedRender(renderDatabase, release, &renders))
		synctest.Wait() // every view waits: one renders, the others wait for it
		if n := renders.Load(); n != 1 {
			t.Fatalf("16 views missing the tab at once rendered it %d times, want 1", n)
		}
		close(release)
		answers, errs := done()
		for i := range answers {
			if errs[i] != nil || string(answers[i].body) != "render 1" {
				t.Fatalf("view %d got %q, %v; want the one render", i, answers[i].body, errs[i])
			}
		}
		if a, ok := cc.get(renderKey, renderDatabase, liveSessions{}, time.Now()); !ok || string(a.body) != "render 1" {
			t.Fatalf("after the render the cache holds %q (%t), want the render kept", a.body, ok)
		}
	})
}

func TestViewsOfAnotherStateDoNotShareARender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cc collaboratorsCache
		var renders atomic.Int32
		release := make(chan struct{})
		moved := renderDatabase
		moved.Version++
		otherPage := renderKey
		otherPage.page = 2
		done := []func() ([]cachedAnswer, []error){
			missing(&cc, 1, renderKey, renderDatabase, blockedRender(renderDatabase, release, &renders)),
			missing(&cc, 1, renderKey, moved, blockedRender(moved, release, &renders)),
			missing(&cc, 1, otherPage, renderDatabase, blockedRender(renderDatabase, release, &renders)),
		}
		synctest.Wait()
		if n := renders.Load(); n != 3 {
			t.Fatalf("views of a moved version and of another page rendered %d times in all, want 3 (one each)", n)
		}
		close(release)
		for _, d := range done {
			if _, errs := d(); errs[0] != nil {
				t.Fatal(errs[0])
			}
		}
		if a, ok := cc.get(renderKey, moved, liveSessions{}, time.Now()); !ok || a.version != moved.Version {
			t.Fatalf("the cache holds version %d (%t), want the later render kept", a.version, ok)
		}
	})
}

func TestAViewRendersItselfWhenTheViewRenderingForItEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cc collaboratorsCache
		var renders atomic.Int32
		release := make(chan struct{})
		ended := missing(&cc, 1, renderKey, renderDatabase, func() (cachedAnswer, error) {
			renders.Add(1)
			<-release
			return cachedAnswer{}, fmt.Errorf("store: collaborators: %w", context.Canceled)
		})
		synctest.Wait()
		again := make(chan struct{})
		waiting := missing(&cc, 4, renderKey, renderDatabase, blockedRender(renderDatabase, again, &renders))
		synctest.Wait()
		close(release)
		if _, errs := ended(); !errors.Is(errs[0], context.Canceled) {
			t.Fatalf("the ended view got %v, want its own end", errs[0])
		}
		synctest.Wait() // the waiting views wait again, for one of them to render
		close(again)
		answers, errs := waiting()
		for i := range answers {
			if errs[i] != nil || len(answers[i].body) == 0 {
				t.Fatalf("waiting view %d got %q, %v; want a render of its own", i, answers[i].body, errs[i])
			}
		}
		// The ended view's render is not shared, and the waiting views share the next.
		if n := renders.Load(); n != 2 {
			t.Fatalf("%d renders, want 2: the ended view's, then one for the 4 waiting", n)
		}
	})
}

func TestAViewDoesNotShareARenderItsClockHasEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cc collaboratorsCache
		var renders atomic.Int32
		release := make(chan struct{})
		// Each render is current for a second from its start, as a row "just now" is.
		render := func() (cachedAnswer, error) {
			n, began := renders.Add(1), time.Now()
			<-release
			return cachedAnswer{body: fmt.Appendf(nil, "render %d", n), databaseID: renderDatabase.ID,
				version: renderDatabase.Version, until: began.Add(time.Second)}, nil
		}
		first := missing(&cc, 1, renderKey, renderDatabase, render)
		synctest.Wait()
		time.Sleep(2 * time.Second) // the first render is still running, and no longer current
		asked := time.Now()
		later := missing(&cc, 1, renderKey, renderDatabase, render)
		synctest.Wait()
		close(release)
		first()
		answers, errs := later()
		if errs[0] != nil || !asked.Before(answers[0].until) {
			t.Fatalf("a view asking at %v got %q current until %v, %v; want a render current when it asked",
				asked.Format(time.TimeOnly), answers[0].body, answers[0].until.Format(time.TimeOnly), errs[0])
		}
		if n := renders.Load(); n != 2 {
			t.Fatalf("%d renders, want 2: the one ended by the clock, then the later view's own", n)
		}
	})
}
