package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"seven.dev/api/meta"
)

func TestWatchFromState(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	a := mustCreate(t, s, newWidget("ns", "a", "red"))
	b := mustCreate(t, s, newWidget("other", "b", "red"))
	// Let the cache see both, so the synthetic events are deterministic.
	if _, err := s.List(context.Background(), "", ListOptions{ResourceVersion: b.ResourceVersion}); err != nil {
		t.Fatal(err)
	}

	for _, rv := range []string{"", "0"} {
		w := mustWatch(t, s, "ns", WatchOptions{ResourceVersion: rv})
		ev := expectEvent(t, w, meta.Added, "a")
		if ev.Object.GetObjectMeta().ResourceVersion != a.ResourceVersion {
			t.Errorf("rv %q: synthetic ADDED at %s, want the object's %s", rv, ev.Object.GetObjectMeta().ResourceVersion, a.ResourceVersion)
		}
		expectNoEvent(t, w, 100*time.Millisecond)
	}

	all := mustWatch(t, s, "", WatchOptions{})
	seen := map[string]bool{}
	for range 2 {
		ev := nextEvent(t, all)
		seen[ev.Object.GetObjectMeta().Name] = ev.Type == meta.Added
	}
	if !seen["a"] || !seen["b"] {
		t.Fatalf("all-namespace watch started with %v, want ADDED a and b", seen)
	}

	ns := mustWatch(t, s, "ns", WatchOptions{ResourceVersion: "0"})
	expectEvent(t, ns, meta.Added, "a")
	mustCreate(t, s, newWidget("ns", "c", "blue"))
	mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Color = "green" })
	mustCreate(t, s, newWidget("other", "d", "blue"))
	deleted := mustDelete(t, s, "ns", "c")

	expectEvent(t, ns, meta.Added, "c")
	if ev := expectEvent(t, ns, meta.Modified, "a"); ev.Object.(*widget).Spec.Color != "green" {
		t.Errorf("MODIFIED a carries %+v, want green", ev.Object.(*widget).Spec)
	}
	ev := expectEvent(t, ns, meta.Deleted, "c")
	if ev.Object.GetObjectMeta().ResourceVersion != deleted.ResourceVersion || ev.Object.(*widget).Spec.Color != "blue" {
		t.Errorf("DELETED c = %+v at %s, want the last state at the deletion's rv %s", ev.Object.(*widget).Spec, ev.Object.GetObjectMeta().ResourceVersion, deleted.ResourceVersion)
	}
	expectNoEvent(t, ns, 100*time.Millisecond)

	expectEvent(t, all, meta.Added, "c")
	expectEvent(t, all, meta.Modified, "a")
	expectEvent(t, all, meta.Added, "d")
	expectEvent(t, all, meta.Deleted, "c")
}

func TestWatchFromResourceVersion(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	a := mustCreate(t, s, newWidget("ns", "a", "red"))
	mustCreate(t, s, newWidget("ns", "b", "red"))
	mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Counter = 1 })

	w := mustWatch(t, s, "ns", WatchOptions{ResourceVersion: a.ResourceVersion})
	expectEvent(t, w, meta.Added, "b")
	expectEvent(t, w, meta.Modified, "a")
	mustDelete(t, s, "ns", "b")
	expectEvent(t, w, meta.Deleted, "b")
	expectNoEvent(t, w, 100*time.Millisecond)
}

func TestWatchWindow(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(10), WithFreshnessTimeout(300*time.Millisecond))
	first := mustCreate(t, s, newWidget("ns", "a", "red"))
	var last *widget
	for i := range 20 {
		last = mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Counter = i + 1 })
	}
	// Let the cache see every event.
	if _, err := s.List(context.Background(), "", ListOptions{ResourceVersion: last.ResourceVersion}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Watch(context.Background(), "", WatchOptions{ResourceVersion: first.ResourceVersion}); !errors.Is(err, ErrGone) {
		t.Errorf("watch from before the window: err = %v, want ErrGone", err)
	}
	// The window is the last 10 events: a watch from the revision before the oldest of
	// them gets exactly those 10.
	from := rvOf(last) - 10
	w := mustWatch(t, s, "", WatchOptions{ResourceVersion: fmt.Sprint(from)})
	for i := 11; i <= 20; i++ {
		ev := expectEvent(t, w, meta.Modified, "a")
		if n := ev.Object.(*widget).Spec.Counter; n != i {
			t.Fatalf("replayed counter %d, want %d", n, i)
		}
	}
	if _, err := s.Watch(context.Background(), "", WatchOptions{ResourceVersion: fmt.Sprint(from - 1)}); !errors.Is(err, ErrGone) {
		t.Errorf("watch from one before the window: err = %v, want ErrGone", err)
	}
	if _, err := s.Watch(context.Background(), "", WatchOptions{ResourceVersion: fmt.Sprint(rvOf(last) + 1000)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("watch from the future: err = %v, want ErrTooLarge", err)
	}
	if _, err := s.Watch(context.Background(), "", WatchOptions{ResourceVersion: "abc"}); err == nil {
		t.Error("watch from a malformed resourceVersion: want error")
	}
}

func TestWatchAtAnotherResourcesRevision(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	resp, err := e.client.Put(context.Background(), "/registry/other/x", "{}")
	if err != nil {
		t.Fatal(err)
	}
	w := mustWatch(t, s, "", WatchOptions{ResourceVersion: fmt.Sprint(resp.Header.Revision)})
	mustCreate(t, s, newWidget("ns", "a", "red"))
	expectEvent(t, w, meta.Added, "a")
}

func TestWatchPredicateTransitions(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	w := mustWatch(t, s, "", WatchOptions{Predicate: colorIs("red")})

	mustCreate(t, s, newWidget("ns", "a", "blue"))                        // not matching: nothing
	mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Color = "red" }) // starts matching
	mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Counter = 1 })   // still matching
	mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Color = "blue" })
	mustDelete(t, s, "ns", "a") // deleted while not matching: nothing
	mustCreate(t, s, newWidget("ns", "b", "red"))
	mustDelete(t, s, "ns", "b")

	expectEvent(t, w, meta.Added, "a")
	expectEvent(t, w, meta.Modified, "a")
	if ev := expectEvent(t, w, meta.Deleted, "a"); ev.Object.(*widget).Spec.Color != "blue" {
		t.Errorf("DELETED on leaving the selector carries %+v, want the new state (blue)", ev.Object.(*widget).Spec)
	}
	expectEvent(t, w, meta.Added, "b")
	expectEvent(t, w, meta.Deleted, "b")
	expectNoEvent(t, w, 100*time.Millisecond)
}

func TestWatchBookmarks(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0), WithBookmarkInterval(50*time.Millisecond))
	withBM := mustWatch(t, s, "", WatchOptions{Bookmarks: true})
	without := mustWatch(t, s, "", WatchOptions{})

	// Another resource moves the revision: bookmarks follow, through etcd's progress.
	put, err := e.client.Put(context.Background(), "/registry/other/x", "{}")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.After(eventTimeout)
	for done := false; !done; {
		select {
		case ev, ok := <-withBM.ResultChan():
			if !ok {
				t.Fatal("closed")
			}
			if ev.Type != meta.Bookmark {
				t.Fatalf("got %s, want BOOKMARK", ev.Type)
			}
			obj, ok := ev.Object.(*widget)
			if !ok || *obj.GetTypeMeta() != (meta.TypeMeta{}) || obj.Name != "" || obj.ResourceVersion != formatRV(ev.Revision) {
				t.Fatalf("bookmark object %#v, want an empty widget with only resourceVersion %d", ev.Object, ev.Revision)
			}
			done = ev.Revision >= put.Header.Revision
		case <-deadline:
			t.Fatalf("no bookmark at or after revision %d", put.Header.Revision)
		}
	}
	select {
	case ev := <-without.ResultChan():
		t.Errorf("watch without bookmarks got %s", ev.Type)
	default:
	}
}

func TestManyWatchersBurst(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(2000))
	const watchers, events = 100, 1000
	ws := make([]Watcher, watchers)
	for i := range ws {
		ws[i] = mustWatch(t, s, "", WatchOptions{ResourceVersion: "0"})
	}
	if n := s.Watchers(); n != watchers {
		t.Errorf("Watchers() = %d, want %d", n, watchers)
	}

	results := make([]error, watchers)
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = readBurst(w, events)
		}()
	}
	// Four writers on their own keys: etcd orders the events, watchers must see that order.
	var writers sync.WaitGroup
	for k := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			name := fmt.Sprintf("w%d", k)
			if _, err := s.Create(context.Background(), newWidget("ns", name, "red")); err != nil {
				t.Error(err)
				return
			}
			for i := 1; i < events/4; i++ {
				if _, err := s.GuaranteedUpdate(context.Background(), "ns", name, nil, func(cur meta.Object) (meta.Object, error) {
					w := *cur.(*widget)
					w.Spec.Counter = i
					return &w, nil
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	wg.Wait()
	for i, err := range results {
		if err != nil {
			t.Errorf("watcher %d: %v", i, err)
		}
	}
}

// readBurst reads n events and checks their revisions increase and each key's counter
// goes up one by one.
func readBurst(w Watcher, n int) error {
	var lastRev int64
	counters := map[string]int{}
	timeout := time.After(30 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return fmt.Errorf("closed after %d events", i)
			}
			if ev.Revision <= lastRev {
				return fmt.Errorf("event %d at revision %d after %d", i, ev.Revision, lastRev)
			}
			lastRev = ev.Revision
			wd := ev.Object.(*widget)
			if prev, ok := counters[wd.Name]; ok && wd.Spec.Counter != prev+1 {
				return fmt.Errorf("%s counter %d after %d", wd.Name, wd.Spec.Counter, prev)
			}
			counters[wd.Name] = wd.Spec.Counter
		case <-timeout:
			return fmt.Errorf("only %d of %d events", i, n)
		}
	}
	return nil
}

func TestSlowWatcherIsDropped(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0), WithWatcherQueue(10))
	stuck := mustWatch(t, s, "", WatchOptions{}) // never read until the end
	fast := mustWatch(t, s, "", WatchOptions{})
	// In lock step with the fast reader, so every etcd batch holds one event: the stuck
	// watcher's queue then overflows after about 10 events, deterministically.
	for i := range 30 {
		name := fmt.Sprintf("w%02d", i)
		mustCreate(t, s, newWidget("ns", name, "red"))
		expectEvent(t, fast, meta.Added, name)
	}
	expectClosed(t, stuck)
	if got := s.Watchers(); got != 1 {
		t.Errorf("Watchers() = %d, want 1 after dropping the slow one", got)
	}
}

func TestWatcherStops(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	mustCreate(t, s, newWidget("ns", "a", "red"))

	w, err := s.Watch(context.Background(), "", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Stop() // with an unread ADDED pending
	if _, ok := <-w.ResultChan(); ok {
		// One event may have been handed over before Stop; then the channel closes.
		expectClosed(t, w)
	}

	ctx, cancel := context.WithCancel(context.Background())
	w, err = s.Watch(ctx, "", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, meta.Added, "a")
	cancel()
	expectClosed(t, w)

	w, err = s.Watch(context.Background(), "", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	expectClosed(t, w)
	if _, err := s.Watch(context.Background(), "", WatchOptions{}); err == nil {
		t.Error("watch on a stopped store: want error")
	}
	if s.Watchers() != 0 {
		t.Errorf("Watchers() = %d after Stop", s.Watchers())
	}
}
