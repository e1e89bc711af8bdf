package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/api/meta"
)

func TestEventRing(t *testing.T) {
	t.Parallel()
	revs := func(r *eventRing, after int64) []int64 {
		var out []int64
		r.since(after, func(ce *cachedEvent) { out = append(out, ce.rev) })
		return out
	}
	for _, tc := range []struct {
		name       string
		size       int
		start      int64
		add        []int64
		wantWindow int64
		after      int64
		want       []int64
	}{
		{"empty", 3, 10, nil, 10, 10, nil},
		{"not full", 3, 10, []int64{11, 12}, 10, 10, []int64{11, 12}},
		{"since the middle", 3, 10, []int64{11, 12}, 10, 11, []int64{12}},
		{"wrapped", 3, 10, []int64{11, 12, 13, 14, 15}, 12, 12, []int64{13, 14, 15}},
		// Two events of one transaction share a revision: evicting one of them leaves that
		// revision incomplete, so the window starts at it.
		{"shared revision", 3, 10, []int64{11, 12, 12, 13}, 11, 11, []int64{12, 12, 13}},
		{"evicted half a revision", 2, 10, []int64{12, 12, 12}, 12, 12, nil},
	} {
		r := newEventRing(tc.size)
		r.reset(tc.start)
		for _, rev := range tc.add {
			r.add(&cachedEvent{rev: rev})
		}
		if r.windowStart != tc.wantWindow {
			t.Errorf("%s: windowStart = %d, want %d", tc.name, r.windowStart, tc.wantWindow)
		}
		if got := revs(&r, tc.after); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: since(%d) = %v, want %v", tc.name, tc.after, got, tc.want)
		}
	}
}

func TestResumeAfterStoreRestart(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	ctx := context.Background()
	first, err := New(e.client, widgetConfig(0), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	w := mustWatch(t, first, "ns", WatchOptions{})
	mustCreate(t, first, newWidget("ns", "a", "red"))
	seen := expectEvent(t, w, meta.Added, "a")
	first.Stop()
	expectClosed(t, w)

	// Changes while no API server watches.
	mustUpdate(t, first, "ns", "a", func(w *widget) { w.Spec.Color = "blue" })
	mustCreate(t, first, newWidget("ns", "b", "red"))
	mustCreate(t, first, newWidget("other", "c", "red"))
	mustDelete(t, first, "ns", "a")

	// A new store (an API server restart) resumes the watch from the last version seen.
	second := e.newStore(t, widgetConfig(0))
	w = mustWatch(t, second, "ns", WatchOptions{ResourceVersion: seen.Object.GetObjectMeta().ResourceVersion})
	if ev := expectEvent(t, w, meta.Modified, "a"); ev.Object.(*widget).Spec.Color != "blue" {
		t.Errorf("replayed MODIFIED a = %+v, want blue", ev.Object.(*widget).Spec)
	}
	expectEvent(t, w, meta.Added, "b")
	expectEvent(t, w, meta.Deleted, "a")
	mustCreate(t, second, newWidget("ns", "d", "red"))
	expectEvent(t, w, meta.Added, "d")

	// Once etcd compacted that history, resuming from before it is 410 Gone.
	latest := mustCreate(t, second, newWidget("ns", "e", "red"))
	if _, err := e.client.Compact(ctx, rvOf(latest)); err != nil {
		t.Fatal(err)
	}
	third := e.newStore(t, widgetConfig(0))
	if _, err := third.Watch(ctx, "ns", WatchOptions{ResourceVersion: seen.Object.GetObjectMeta().ResourceVersion}); !errors.Is(err, ErrGone) {
		t.Errorf("resume from before the compaction: err = %v, want ErrGone", err)
	}
	w = mustWatch(t, third, "ns", WatchOptions{ResourceVersion: latest.ResourceVersion})
	mustUpdate(t, third, "ns", "e", func(w *widget) { w.Spec.Counter = 1 })
	expectEvent(t, w, meta.Modified, "e")
}

// faultyWatch wraps the etcd watch so a test can make it fail like a compaction does.
type faultyWatch struct {
	client *clientv3.Client
	fail   chan struct{}
}

func (f *faultyWatch) watch(ctx context.Context, key string, opts ...clientv3.OpOption) clientv3.WatchChan {
	real := f.client.Watch(ctx, key, opts...)
	out := make(chan clientv3.WatchResponse)
	go func() {
		defer close(out)
		for {
			select {
			case r, ok := <-real:
				if !ok {
					return
				}
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			case <-f.fail:
				select {
				case out <- clientv3.WatchResponse{CompactRevision: 1, Canceled: true}:
				case <-ctx.Done():
				}
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func TestRelistAfterWatchError(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	ctx := context.Background()
	s, err := New(e.client, widgetConfig(0), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	fw := &faultyWatch{client: e.client, fail: make(chan struct{})}
	s.cache.openWatch = fw.watch
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)

	w := mustWatch(t, s, "", WatchOptions{})
	mustCreate(t, s, newWidget("ns", "a", "red"))
	seen := expectEvent(t, w, meta.Added, "a")

	fw.fail <- struct{}{}
	expectClosed(t, w) // every watcher is closed; clients re-watch

	mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Counter = 1 })
	mustCreate(t, s, newWidget("ns", "b", "red"))

	// The rebuilt cache serves a watch from the last version seen (its buffer is refilled
	// from etcd's history), and lists.
	w = mustWatch(t, s, "", WatchOptions{ResourceVersion: seen.Object.GetObjectMeta().ResourceVersion})
	expectEvent(t, w, meta.Modified, "a")
	expectEvent(t, w, meta.Added, "b")
	res, err := s.List(ctx, "", ListOptions{ResourceVersion: "0"})
	if err != nil || len(res.Items) != 2 {
		t.Errorf("list after relist = %v, %v; want 2 items", names(res.Items), err)
	}
	mustDelete(t, s, "ns", "b")
	expectEvent(t, w, meta.Deleted, "b")
}

// ourGoroutines are the stacks of goroutines running this package's code.
func ourGoroutines() []string {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "internal/storage.(*") {
			out = append(out, g)
		}
	}
	return out
}

// Not parallel: it counts the goroutines of the whole package.
func TestNoGoroutineLeaks(t *testing.T) {
	e := startEtcd(t)
	if g := ourGoroutines(); len(g) > 0 {
		t.Fatalf("goroutines before the test:\n%s", strings.Join(g, "\n\n"))
	}
	s, err := New(e.client, widgetConfig(0), quietLogger(), WithWatcherQueue(5), WithBookmarkInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustCreate(t, s, newWidget("ns", fmt.Sprint("pre", i), "red"))
	}
	stopped, _ := s.Watch(context.Background(), "", WatchOptions{})
	_, _ = s.Watch(ctx, "", WatchOptions{Bookmarks: true})                         // ends with ctx
	_, _ = s.Watch(context.Background(), "", WatchOptions{})                       // never read: dropped, or ended by Stop
	_, _ = s.Watch(context.Background(), "ns", WatchOptions{ResourceVersion: "1"}) // ended by Stop
	for i := range 20 {
		mustCreate(t, s, newWidget("ns", fmt.Sprint("w", i), "red"))
	}
	stopped.Stop()
	cancel()
	time.Sleep(50 * time.Millisecond)
	s.Stop()

	deadline := time.Now().Add(5 * time.Second)
	for {
		g := ourGoroutines()
		if len(g) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after Stop:\n%s", len(g), strings.Join(g, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMultiKeyTransaction(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()
	w := mustWatch(t, s, "", WatchOptions{})
	enc := func(w *widget) string {
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	resp, err := e.client.Txn(ctx).Then(
		clientv3.OpPut("/registry/widgets/ns/x", enc(newWidget("ns", "x", "red"))),
		clientv3.OpPut("/registry/widgets/ns/y", enc(newWidget("ns", "y", "red"))),
	).Commit()
	if err != nil {
		t.Fatal(err)
	}
	rev := resp.Header.Revision
	for _, name := range []string{"x", "y"} {
		if ev := expectEvent(t, w, meta.Added, name); ev.Revision != rev {
			t.Errorf("ADDED %s at %d, want %d", name, ev.Revision, rev)
		}
	}
	res, err := s.List(ctx, "", ListOptions{ResourceVersion: fmt.Sprint(rev)})
	if err != nil || len(res.Items) != 2 {
		t.Fatalf("list = %v %v, want x and y", names(res.Items), err)
	}
	if _, err := e.client.Delete(ctx, "/registry/widgets/ns/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, meta.Deleted, "x")
	expectEvent(t, w, meta.Deleted, "y")
}

func TestListBeforeCacheIsReady(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s, err := New(e.client, widgetConfig(0), quietLogger(), WithFreshnessTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	created := mustCreate(t, s, newWidget("ns", "a", "red"))
	// Not started: lists from the cache fall back to etcd, watches cannot be served.
	res, err := s.List(context.Background(), "", ListOptions{ResourceVersion: created.ResourceVersion})
	if err != nil || len(res.Items) != 1 {
		t.Errorf("list before start = %v %v, want a", names(res.Items), err)
	}
	if _, err := s.Watch(context.Background(), "", WatchOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("watch before start: err = %v, want ErrTooLarge (not ready)", err)
	}
}
