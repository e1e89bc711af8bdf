package informer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	apierrors "seven.dev/api/errors"
)

func TestListThenWatch(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	s.set("b", "1")
	rec := &recorder{}
	inf := startInformer(t, s, Options{}, rec.handler())
	if !inf.WaitForCacheSync(t.Context()) {
		t.Fatal("not synced")
	}
	got := rec.waitLen(t, 2)
	want := []string{"add a 1 initial=true", "add b 1 initial=true"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("initial events %v, want %v", got, want)
	}
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	s.set("c", "1")
	s.set("a", "2")
	s.del("b")
	got = rec.waitLen(t, 5)[2:]
	want = []string{"add c 1 initial=false", "update a 1->2", "delete b 1 unknown=false"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("watch events %v, want %v", got, want)
	}
	eventually(t, func() bool { return inf.LastSyncResourceVersion() == s.version() }, "rv %s", s.version())
	if keys := sorted(inf.Store().ListKeys()); !reflect.DeepEqual(keys, []string{"ns/a", "ns/c"}) {
		t.Fatalf("store keys %v", keys)
	}

	lists, watches := s.calls()
	l, w := lists[0], watches[0]
	if l.Limit != pageSize || l.ResourceVersion != "" || l.Continue != "" {
		t.Errorf("list options %+v: want limit %d and a consistent read", l, pageSize)
	}
	if w.TimeoutSeconds == nil {
		t.Fatal("watch without timeoutSeconds")
	}
	if ts := *w.TimeoutSeconds; w.ResourceVersion != "3" || !w.AllowWatchBookmarks || ts < 300 || ts >= 600 {
		t.Errorf("watch options %+v (timeout %d): want rv 3, bookmarks, timeout in [300,600)", w, ts)
	}
}

func TestPagedList(t *testing.T) {
	s := newFakeServer()
	for i := range 1201 {
		s.set(fmt.Sprintf("o%04d", i), "x")
	}
	inf := startInformer(t, s, Options{})
	if !inf.WaitForCacheSync(t.Context()) || inf.Store().Len() != 1201 {
		t.Fatalf("synced %v with %d objects", inf.HasSynced(), inf.Store().Len())
	}
	lists, _ := s.calls()
	if len(lists) != 3 || lists[1].Continue == "" || lists[2].Continue == "" {
		t.Fatalf("list calls %+v, want three pages", lists)
	}
}

// A continue token that expires mid-list falls back to one unpaged list.
func TestPagedListContinueExpired(t *testing.T) {
	s := newFakeServer()
	for i := range 600 {
		s.set(fmt.Sprintf("o%04d", i), "x")
	}
	s.pageErrs = []error{apierrors.NewResourceExpired("continue token too old")}
	inf := startInformer(t, s, Options{})
	if !inf.WaitForCacheSync(t.Context()) || inf.Store().Len() != 600 {
		t.Fatalf("synced %v with %d objects", inf.HasSynced(), inf.Store().Len())
	}
	lists, _ := s.calls()
	if len(lists) != 3 || lists[2].Limit != 0 || lists[2].Continue != "" {
		t.Fatalf("list calls %+v, want page, expired page, unpaged list", lists)
	}
}

// A watch that ends (timeout, broken stream) resumes from the last version, with no relist.
func TestWatchCloseResumesWithoutRelist(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	rec := &recorder{}
	inf := startInformer(t, s, Options{}, rec.handler())
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	s.set("a", "2")
	rec.waitLen(t, 2)
	rv := inf.LastSyncResourceVersion()
	s.closeWatches()
	eventually(t, func() bool { _, w := s.counts(); return w == 2 && s.openWatches() == 1 }, "a second watch")
	if got := s.lastWatch().ResourceVersion; got != rv {
		t.Fatalf("re-watch from %s, want %s", got, rv)
	}
	s.set("b", "1")
	got := rec.waitLen(t, 3)
	want := []string{"add a 1 initial=true", "update a 1->2", "add b 1 initial=false"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if lists, _ := s.counts(); lists != 1 {
		t.Fatalf("%d lists, want 1", lists)
	}
}

func TestBookmarkAdvancesResourceVersion(t *testing.T) {
	s := newFakeServer()
	inf := startInformer(t, s, Options{})
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	rv := s.bump(7)
	s.bookmark()
	eventually(t, func() bool { return inf.LastSyncResourceVersion() == rv }, "rv %s, have %s", rv, inf.LastSyncResourceVersion())
	s.closeWatches()
	eventually(t, func() bool { _, w := s.counts(); return w == 2 }, "a second watch")
	if got := s.lastWatch().ResourceVersion; got != rv {
		t.Fatalf("re-watch from %s, want the bookmark's %s", got, rv)
	}
}

// On 410 the informer relists and delivers exactly the difference.
func TestGoneRelistDeliversDifference(t *testing.T) {
	for _, tc := range []struct {
		name string
		gone func(s *fakeServer)
	}{
		{"ERROR event", func(s *fakeServer) { s.expire(); s.closeWatches() }},
		{"ERROR event on open watch", func(s *fakeServer) { s.sendError(apierrors.NewResourceExpired("too old")) }},
		{"Watch call fails", func(s *fakeServer) {
			s.mu.Lock()
			s.watchErrs = []error{apierrors.NewGone("gone")}
			s.mu.Unlock()
			s.closeWatches()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer()
			for _, n := range []string{"a", "b", "c", "d"} {
				s.set(n, "1")
			}
			rec := &recorder{}
			inf := startInformer(t, s, Options{}, rec.handler())
			rec.waitLen(t, 4)
			eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")

			s.setPaused(true) // the informer misses all of this
			s.set("a", "2")
			s.del("b")
			s.set("e", "1")
			s.del("c")
			s.set("c", "2") // re-created: a new UID
			s.set("d", "1") // same data, but a new resourceVersion
			s.set("d", "x")
			s.set("d", "1")
			s.setPaused(false)
			tc.gone(s)

			eventually(t, func() bool { l, _ := s.counts(); return l == 2 }, "a relist")
			got := rec.waitLen(t, 10)[4:]
			want := []string{
				"delete b 1 unknown=true",
				"delete c 1 unknown=true",
				"update a 1->2",
				"add c 2 initial=false",
				"update d 1->1",
				"add e 1 initial=false",
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("relist events\n got %q\nwant %q", got, want)
			}
			if rv := inf.LastSyncResourceVersion(); rv != s.version() {
				t.Fatalf("rv %s after relist, want %s", rv, s.version())
			}
			if lists, _ := s.calls(); lists[1].ResourceVersion != "" {
				t.Fatalf("relist at rv %q, want a consistent read", lists[1].ResourceVersion)
			}
		})
	}
}

// A relist that finds nothing changed delivers nothing.
func TestGoneRelistWithoutChangesIsSilent(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	rec := &recorder{}
	startInformer(t, s, Options{}, rec.handler())
	rec.waitLen(t, 1)
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	s.bump(3)
	s.expire()
	s.closeWatches()
	eventually(t, func() bool { l, w := s.counts(); return l == 2 && w == 3 }, "relist and watch")
	if got := rec.waitLen(t, 1); len(got) != 1 {
		t.Fatalf("events %v, want only the initial add", got)
	}
}

// Other watch errors relist too (after a backoff): the stream may have lost an event.
func TestWatchErrorEventRelists(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	startInformer(t, s, Options{})
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	s.sendError(apierrors.NewInternalError(errors.New("decode failed")))
	eventually(t, func() bool { l, _ := s.counts(); return l == 2 }, "a relist")
}

// Unreachable servers are retried with a backoff from the same version, never in a hot loop.
func TestWatchFailuresBackOff(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	inf := startInformer(t, s, Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond})
	inf.WaitForCacheSync(t.Context())
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	s.mu.Lock()
	for range 1000 {
		s.watchErrs = append(s.watchErrs, errors.New("dial tcp: connection refused"))
	}
	s.mu.Unlock()
	s.closeWatches()
	time.Sleep(500 * time.Millisecond)
	lists, watches := s.counts()
	// Waits of 10-20, 20-40, then 40-80 ms: at most ~14 attempts in 500 ms.
	if watches > 16 || watches < 4 {
		t.Fatalf("%d watch attempts in 500ms, want a backoff", watches)
	}
	if lists != 1 {
		t.Fatalf("%d lists: a connection error must resume, not relist", lists)
	}
	s.mu.Lock()
	s.watchErrs = nil
	s.mu.Unlock()
	s.set("b", "1")
	eventually(t, func() bool { _, ok := inf.Store().GetByName("ns", "b"); return ok }, "b after recovery")
}

// A server that ends every watch at once must not make the informer spin.
func TestWatchesThatEndAtOnceBackOff(t *testing.T) {
	s := newFakeServer()
	s.closeAtOnce = true
	startInformer(t, s, Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond})
	time.Sleep(500 * time.Millisecond)
	if _, watches := s.counts(); watches > 16 {
		t.Fatalf("%d watches in 500ms", watches)
	}
}

func TestListFailuresDelaySync(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	s.listErrs = []error{errors.New("refused"), apierrors.NewInternalError(errors.New("etcd down"))}
	inf := New[cm](s, Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if inf.HasSynced() {
		t.Fatal("synced before running")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(ctx) }()
	short, cancelShort := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancelShort()
	if inf.WaitForCacheSync(short) {
		t.Fatal("synced although the list failed")
	}
	if !inf.WaitForCacheSync(t.Context()) {
		t.Fatal("never synced")
	}
	if lists, _ := s.counts(); lists != 3 {
		t.Fatalf("%d lists, want 3", lists)
	}
	cancel()
	<-done
}

func TestLateHandlerGetsCurrentState(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	s.set("b", "1")
	early := &recorder{}
	inf := startInformer(t, s, Options{}, early.handler())
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	s.set("a", "2")
	s.del("b")
	s.set("c", "1")
	early.waitLen(t, 5)

	late := &recorder{}
	reg := inf.AddEventHandler(late.handler())
	got := late.waitLen(t, 2)
	sort.Strings(got)
	if want := []string{"add a 2 initial=true", "add c 1 initial=true"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("late handler got %v, want %v", got, want)
	}
	eventually(t, reg.HasSynced, "late registration synced")
	s.set("c", "2")
	early.waitLen(t, 6)
	if got := late.waitLen(t, 3); got[2] != "update c 1->2" {
		t.Fatalf("late handler then got %v", got)
	}
	reg.Remove()
	s.set("c", "3")
	early.waitLen(t, 7)
	if got := late.get(); len(got) != 3 {
		t.Fatalf("removed handler got %v", got)
	}
}

// A slow handler holds up neither the watch nor the other handlers, and still gets every
// event in order.
func TestSlowHandlerDoesNotBlock(t *testing.T) {
	s := newFakeServer()
	release := make(chan struct{})
	slow := &recorder{}
	h := slow.handler()
	add := h.OnAdd
	h.OnAdd = func(obj cm, initial bool) {
		<-release
		add(obj, initial)
	}
	fast := &recorder{}
	inf := startInformer(t, s, Options{}, h, fast.handler())
	inf.WaitForCacheSync(t.Context())
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	for i := range 100 {
		s.set(fmt.Sprintf("o%03d", i), "1")
	}
	fast.waitLen(t, 100)
	eventually(t, func() bool { return inf.LastSyncResourceVersion() == s.version() }, "the watch to keep up")
	if n := len(slow.get()); n != 0 {
		t.Fatalf("slow handler ran %d times while blocked", n)
	}
	close(release)
	if got, want := slow.waitLen(t, 100), fast.get(); !reflect.DeepEqual(got, want) {
		t.Fatalf("slow handler saw\n%v\nfast saw\n%v", got, want)
	}
}

// A registration is synced only once its handler has processed the initial list.
func TestRegistrationHasSynced(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	release := make(chan struct{})
	inf := New[cm](s, Options{})
	reg := inf.AddEventHandler(Handler[cm]{OnAdd: func(cm, bool) { <-release }})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(ctx) }()
	inf.WaitForCacheSync(ctx)
	time.Sleep(20 * time.Millisecond)
	if reg.HasSynced() {
		t.Fatal("registration synced before its handler processed the list")
	}
	close(release)
	if !WaitFor(ctx, inf.HasSynced, reg.HasSynced) {
		t.Fatal("registration never synced")
	}
	cancel()
	<-done
}

func TestResync(t *testing.T) {
	s := newFakeServer()
	s.set("a", "1")
	s.set("b", "1")
	rec := &recorder{}
	startInformer(t, s, Options{ResyncPeriod: 30 * time.Millisecond}, rec.handler())
	got := rec.waitLen(t, 6)
	updates := sorted(got[2:6])
	want := []string{"update a 1->1", "update a 1->1", "update b 1->1", "update b 1->1"}
	if !reflect.DeepEqual(updates, want) {
		t.Fatalf("resync events %v, want %v", updates, want)
	}
}

// Cancelling the context stops every goroutine, handlers and watch included.
func TestStopLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newFakeServer()
	s.set("a", "1")
	inf := New[cm](s, Options{ResyncPeriod: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	var calls atomic.Int32
	for range 3 {
		inf.AddEventHandler(Handler[cm]{OnUpdate: func(cm, cm) { calls.Add(1) }})
	}
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(ctx) }()
	inf.AddEventHandler(Handler[cm]{OnAdd: func(cm, bool) { <-ctx.Done() }})
	eventually(t, func() bool { return calls.Load() > 3 && s.openWatches() == 1 }, "resyncs and a watch")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if s.openWatches() != 0 {
		t.Fatal("the watch was not stopped")
	}
	eventually(t, func() bool { return runtime.NumGoroutine() <= before }, "goroutines to end: %d, was %d", runtime.NumGoroutine(), before)
	// A handler added after the end gets no goroutine.
	inf.AddEventHandler(Handler[cm]{})
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after a late handler, was %d", n, before)
	}
}

func TestRunTwiceReturns(t *testing.T) {
	s := newFakeServer()
	inf := startInformer(t, s, Options{})
	inf.WaitForCacheSync(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(t.Context()) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("second Run did not return")
	}
}

func TestBackoffGrowsWithJitterToCap(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: time.Second}
	var ds []time.Duration
	for range 8 {
		ds = append(ds, b.next())
	}
	limits := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000, 1000}
	for i, d := range ds {
		hi := limits[i] * time.Millisecond
		if d < hi/2 || d > hi {
			t.Errorf("wait %d is %v, want in [%v, %v]", i, d, hi/2, hi)
		}
	}
	b.reset()
	if d := b.next(); d > 100*time.Millisecond {
		t.Errorf("after reset %v", d)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// A handler added while changes stream in sees a consistent history: every object added
// once, updated only from the version it was told, and ends with the cache's state.
func TestHandlerAddedDuringChanges(t *testing.T) {
	s := newFakeServer()
	inf := startInformer(t, s, Options{})
	inf.WaitForCacheSync(t.Context())
	eventually(t, func() bool { return s.openWatches() == 1 }, "a watch")
	writes := make(chan struct{})
	go func() {
		defer close(writes)
		for i := range 2000 {
			name := fmt.Sprintf("o%02d", i%50)
			if i%7 == 3 {
				s.mu.Lock()
				_, ok := s.objs[name]
				s.mu.Unlock()
				if ok {
					s.del(name)
					continue
				}
			}
			s.set(name, strconv.Itoa(i))
		}
	}()
	var mu sync.Mutex
	seen := map[string]string{}
	var bad []string
	check := func(cond bool, format string, args ...any) {
		if !cond {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	time.Sleep(time.Millisecond)
	inf.AddEventHandler(Handler[cm]{
		OnAdd: func(obj cm, _ bool) {
			mu.Lock()
			defer mu.Unlock()
			_, ok := seen[obj.Name]
			check(!ok, "second add of %s", obj.Name)
			seen[obj.Name] = obj.ResourceVersion
		},
		OnUpdate: func(old, obj cm) {
			mu.Lock()
			defer mu.Unlock()
			check(seen[obj.Name] == old.ResourceVersion, "update of %s from %s, handler had %q", obj.Name, old.ResourceVersion, seen[obj.Name])
			seen[obj.Name] = obj.ResourceVersion
		},
		OnDelete: func(obj cm, _ bool) {
			mu.Lock()
			defer mu.Unlock()
			_, ok := seen[obj.Name]
			check(ok, "delete of unknown %s", obj.Name)
			delete(seen, obj.Name)
		},
	})
	<-writes
	eventually(t, func() bool { return inf.LastSyncResourceVersion() == s.version() }, "the informer to catch up")
	want := map[string]string{}
	for _, o := range inf.Store().List() {
		want[o.Name] = o.ResourceVersion
	}
	eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return maps.Equal(seen, want) }, "the handler to match the store")
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bad {
		t.Error(b)
	}
}
