package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeSink stores events in memory, records each call, and fails calls on demand.
type fakeSink struct {
	mu     sync.Mutex
	events map[string]*core.Event // namespace/name
	calls  []string               // "create ns/name", "patch ns/name"
	// fail, when set, decides the error of each call (nil: go ahead).
	fail func(call string) error
}

func newFakeSink() *fakeSink { return &fakeSink{events: map[string]*core.Event{}} }

var eventsResource = apierrors.Resource{Resource: "events"}

func (s *fakeSink) Create(_ context.Context, ev *core.Event) (*core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	call := "create " + ev.Namespace + "/" + ev.Name
	s.calls = append(s.calls, call)
	if s.fail != nil {
		if err := s.fail(call); err != nil {
			return nil, err
		}
	}
	key := ev.Namespace + "/" + ev.Name
	if _, ok := s.events[key]; ok {
		return nil, apierrors.NewAlreadyExists(eventsResource, ev.Name)
	}
	stored := *ev
	stored.ResourceVersion = "1"
	s.events[key] = &stored
	out := stored
	return &out, nil
}

func (s *fakeSink) Patch(_ context.Context, namespace, name string, data []byte) (*core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	call := "patch " + namespace + "/" + name
	s.calls = append(s.calls, call)
	if s.fail != nil {
		if err := s.fail(call); err != nil {
			return nil, err
		}
	}
	stored, ok := s.events[namespace+"/"+name]
	if !ok {
		return nil, apierrors.NewNotFound(eventsResource, name)
	}
	// The patch only sets top-level scalars, so decoding it over the event merges it.
	if err := json.Unmarshal(data, stored); err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	out := *stored
	return &out, nil
}

func (s *fakeSink) callList() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *fakeSink) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *fakeSink) list() []*core.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*core.Event
	for _, ev := range s.events {
		c := *ev
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *fakeSink) delete(ns, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.events, ns+"/"+name)
}

type setup struct {
	sink  *fakeSink
	clock *fakeClock
	rec   *Recorder
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newSetup returns a recorder on a fake sink and clock; run starts its writer.
func newSetup(t *testing.T, run bool, mod func(*Options)) *setup {
	s := &setup{
		sink:  newFakeSink(),
		clock: &fakeClock{now: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		logs:  &syncBuffer{},
	}
	opts := Options{Clock: s.clock, Logger: slog.New(slog.NewTextHandler(s.logs, nil)), RetryInterval: time.Millisecond}
	if mod != nil {
		mod(&opts)
	}
	s.rec = NewRecorder(s.sink, core.EventSource{Component: "deployment-controller", Host: "node-1"}, opts)
	if run {
		s.run(t)
	}
	return s
}

func (s *setup) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.rec.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// waitCalls waits until the sink has seen n calls.
func (s *setup) waitCalls(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for s.sink.callCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("sink saw %d calls, want %d: %v", s.sink.callCount(), n, s.sink.callList())
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond) // let the writer finish bookkeeping; no further calls expected
	if got := s.sink.callCount(); got != n {
		t.Fatalf("sink saw %d calls, want %d: %v", got, n, s.sink.callList())
	}
}

func pod(name string) *core.Pod {
	return &core.Pod{
		TypeMeta:   meta.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: meta.ObjectMeta{Namespace: "web", Name: name, UID: "uid-" + name, ResourceVersion: "42"},
	}
}

func TestEventFields(t *testing.T) {
	s := newSetup(t, true, nil)
	s.rec.Eventf(pod("nginx"), core.EventTypeWarning, "BackOff", "Back-off restarting failed container %s", "web")
	s.waitCalls(t, 1)
	evs := s.sink.list()
	if len(evs) != 1 {
		t.Fatalf("events %v", evs)
	}
	ev := evs[0]
	if !regexp.MustCompile(`^nginx\.[0-9a-f]+$`).MatchString(ev.Name) || ev.Namespace != "web" {
		t.Fatalf("event %s/%s, want web/nginx.<hex>", ev.Namespace, ev.Name)
	}
	want := core.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: "web", Name: "nginx", UID: "uid-nginx", ResourceVersion: "42"}
	if ev.InvolvedObject != want {
		t.Fatalf("involvedObject %+v, want %+v", ev.InvolvedObject, want)
	}
	now := s.clock.Now()
	if ev.Reason != "BackOff" || ev.Message != "Back-off restarting failed container web" || ev.Type != "Warning" ||
		ev.Count != 1 || !ev.FirstTimestamp.Equal(now) || !ev.LastTimestamp.Equal(now) ||
		ev.Source != (core.EventSource{Component: "deployment-controller", Host: "node-1"}) ||
		ev.ReportingController != "deployment-controller" || ev.ReportingInstance != "node-1" ||
		ev.Kind != "Event" || ev.APIVersion != "v1" {
		t.Fatalf("event %+v", ev)
	}
}

func TestKindAndNamespace(t *testing.T) {
	s := newSetup(t, true, nil)
	s.rec.Event(&apps.Deployment{ObjectMeta: meta.ObjectMeta{Namespace: "web", Name: "d"}}, core.EventTypeNormal, "ScalingReplicaSet", "up")
	s.rec.Event(&core.Node{ObjectMeta: meta.ObjectMeta{Name: "node-1"}}, core.EventTypeNormal, "NodeReady", "ready")
	s.waitCalls(t, 2)
	evs := s.sink.list()
	got := map[string]string{}
	for _, ev := range evs {
		got[ev.InvolvedObject.Kind] = ev.InvolvedObject.APIVersion + " " + ev.Namespace + " " + ev.InvolvedObject.Namespace
	}
	if got["Deployment"] != "apps/v1 web web" {
		t.Errorf("deployment: %q, want the kind from the scheme", got["Deployment"])
	}
	if got["Node"] != "v1 default " {
		t.Errorf("node: %q, want the event in default with an empty involvedObject namespace", got["Node"])
	}
}

func TestBadEventsAreDropped(t *testing.T) {
	s := newSetup(t, true, nil)
	s.rec.Event(pod("a"), "Critical", "X", "unsupported type")
	s.rec.Event(&core.Pod{}, core.EventTypeNormal, "X", "no name")
	s.rec.Event((*core.Pod)(nil), core.EventTypeNormal, "X", "nil")
	s.rec.Event(nil, core.EventTypeNormal, "X", "nil interface")
	s.waitCalls(t, 0)
	if n := bytes.Count([]byte(s.logs.String()), []byte("dropping event")); n != 4 {
		t.Fatalf("%d drop log lines, want 4:\n%s", n, s.logs.String())
	}
}

func TestIdenticalEventsAggregate(t *testing.T) {
	s := newSetup(t, true, nil)
	first := s.clock.Now()
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 1)
	for i := 0; i < 3; i++ {
		s.clock.Step(30 * time.Second)
		s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	}
	s.waitCalls(t, 4)
	evs := s.sink.list()
	if len(evs) != 1 {
		t.Fatalf("%d events, want the repeats folded into one: %v", len(evs), s.sink.callList())
	}
	ev := evs[0]
	if ev.Count != 4 || !ev.FirstTimestamp.Equal(first) || !ev.LastTimestamp.Equal(s.clock.Now()) {
		t.Fatalf("count %d first %v last %v; want 4, %v, %v", ev.Count, ev.FirstTimestamp, ev.LastTimestamp, first, s.clock.Now())
	}
	for _, c := range s.sink.callList()[1:] {
		if c != "patch web/"+ev.Name {
			t.Fatalf("calls %v: repeats must patch the first event", s.sink.callList())
		}
	}
}

func TestDifferentEventsDoNotAggregate(t *testing.T) {
	s := newSetup(t, true, nil)
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled another image")
	s.rec.Event(pod("nginx"), core.EventTypeWarning, "Pulled", "pulled image")
	s.rec.Event(pod("other"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 4)
	if n := len(s.sink.list()); n != 4 {
		t.Fatalf("%d events, want 4 separate ones: %v", n, s.sink.callList())
	}
}

func TestOutsideWindowCreatesNew(t *testing.T) {
	s := newSetup(t, true, func(o *Options) { o.AggregationWindow = time.Minute })
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 1)
	s.clock.Step(61 * time.Second)
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 2)
	if evs := s.sink.list(); len(evs) != 2 || evs[1].Count != 1 {
		t.Fatalf("events %v, want a new event after the window", s.sink.callList())
	}
}

func TestPatchNotFoundCreatesAnew(t *testing.T) {
	s := newSetup(t, true, nil)
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 1)
	old := s.sink.list()[0]
	s.sink.delete(old.Namespace, old.Name) // expired by the server's event TTL
	s.clock.Step(time.Second)
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 3)
	evs := s.sink.list()
	if len(evs) != 1 || evs[0].Name == old.Name || evs[0].Count != 1 {
		t.Fatalf("calls %v: want a patch then a create of a fresh event", s.sink.callList())
	}
	// The new event is the one repeats now go to.
	s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
	s.waitCalls(t, 4)
	if got := s.sink.callList()[3]; got != "patch web/"+evs[0].Name {
		t.Fatalf("call %q, want a patch of the recreated event", got)
	}
}

func TestRetriesServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		failures  int
		wantCalls int
		wantSaved bool
	}{
		{"unreachable then fine", errors.New("connection refused"), 2, 3, true},
		{"500 then fine", apierrors.NewInternalError(errors.New("etcd")), 1, 2, true},
		{"always 503", apierrors.NewServiceUnavailable("down"), 10, DefaultMaxTries, false},
		{"400 not retried", apierrors.NewBadRequest("bad"), 10, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, true, nil)
			n := 0
			s.sink.fail = func(string) error {
				n++
				if n <= tc.failures {
					return tc.err
				}
				return nil
			}
			s.rec.Event(pod("nginx"), core.EventTypeNormal, "Pulled", "pulled image")
			s.waitCalls(t, tc.wantCalls)
			if saved := len(s.sink.list()) == 1; saved != tc.wantSaved {
				t.Fatalf("saved = %v, want %v", saved, tc.wantSaved)
			}
		})
	}
}

func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	s := newSetup(t, false, func(o *Options) { o.QueueSize = 2 })
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 5; i++ {
			s.rec.Eventf(pod("nginx"), core.EventTypeNormal, "Tick", "tick %d", i)
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Event blocked on a full queue")
	}
	if n := s.rec.Dropped(); n != 3 {
		t.Fatalf("%d events dropped, want 3", n)
	}
	s.run(t)
	s.waitCalls(t, 2)
}

func TestCacheIsBounded(t *testing.T) {
	s := newSetup(t, true, func(o *Options) { o.CacheSize = 2 })
	for i, name := range []string{"a", "b", "c"} {
		s.rec.Event(pod(name), core.EventTypeNormal, "Pulled", "pulled image")
		s.waitCalls(t, i+1) // one at a time, so "a" is the least recently used
	}
	s.rec.cacheMu.Lock()
	n := s.rec.cache.len()
	s.rec.cacheMu.Unlock()
	if n != 2 {
		t.Fatalf("cache holds %d keys, want 2", n)
	}
	s.rec.Event(pod("a"), core.EventTypeNormal, "Pulled", "pulled image") // evicted: created anew
	s.rec.Event(pod("c"), core.EventTypeNormal, "Pulled", "pulled image") // remembered: patched
	s.waitCalls(t, 5)
	// The two writes may land in either order: they have different keys.
	for _, c := range s.sink.callList()[3:] {
		switch {
		case strings.Contains(c, "web/a."):
			if !strings.HasPrefix(c, "create") {
				t.Errorf("call %q for the evicted key, want create", c)
			}
		case strings.Contains(c, "web/c."):
			if !strings.HasPrefix(c, "patch") {
				t.Errorf("call %q for the remembered key, want patch", c)
			}
		default:
			t.Errorf("unexpected call %q", c)
		}
	}
}

func TestNamesAreUniqueOnAStoppedClock(t *testing.T) {
	s := newSetup(t, true, nil)
	for i := 0; i < 50; i++ {
		s.rec.Eventf(pod("nginx"), core.EventTypeNormal, "Tick", "tick %d", i)
	}
	s.waitCalls(t, 50)
	if n := len(s.sink.list()); n != 50 {
		t.Fatalf("%d events stored of 50: names collided", n)
	}
}
