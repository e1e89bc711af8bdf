package informer

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

type cm = *core.ConfigMap

// fakeServer is a scripted API server for config maps in namespace "ns": it keeps objects,
// a resourceVersion counter and the event history, and serves paged lists and watches from
// a version, the way the real server does. Tests drive it and read what it was asked.
type fakeServer struct {
	mu       sync.Mutex
	rv       int
	objs     map[string]cm
	history  []client.Event[cm]
	oldest   int // a watch from a version below this gets 410
	watchers map[*fakeWatcher]bool
	paused   bool // changes are kept in history but not sent to open watches
	// closeAtOnce makes every watch end as soon as it is opened.
	closeAtOnce bool
	snapshots   map[string][]cm // continue token -> rest of a paged list

	lists, watches []client.ListOptions
	listErrs       []error // the next List calls fail with these, in order
	watchErrs      []error // the next Watch calls fail with these, in order
	pageErrs       []error // the next continued List calls fail with these
}

func newFakeServer() *fakeServer {
	return &fakeServer{rv: 1, objs: map[string]cm{}, watchers: map[*fakeWatcher]bool{}, snapshots: map[string][]cm{}}
}

func (s *fakeServer) List(ctx context.Context, opts client.ListOptions) (*client.List[cm], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists = append(s.lists, opts)
	if opts.Continue != "" && len(s.pageErrs) > 0 {
		err := s.pageErrs[0]
		s.pageErrs = s.pageErrs[1:]
		return nil, err
	}
	if len(s.listErrs) > 0 {
		err := s.listErrs[0]
		s.listErrs = s.listErrs[1:]
		return nil, err
	}
	var items []cm
	rv := s.rv
	if opts.Continue != "" {
		rvs, _, _ := strings.Cut(opts.Continue, ":")
		rv, _ = strconv.Atoi(rvs)
		items = s.snapshots[opts.Continue]
	} else {
		for _, k := range s.keysLocked() {
			items = append(items, s.objs[k])
		}
	}
	l := &client.List[cm]{ResourceVersion: strconv.Itoa(rv)}
	if opts.Limit > 0 && int64(len(items)) > opts.Limit {
		l.Continue = fmt.Sprintf("%d:%d", rv, len(s.snapshots))
		s.snapshots[l.Continue] = items[opts.Limit:]
		items = items[:opts.Limit]
	}
	l.Items = items
	return l, nil
}

func (s *fakeServer) Watch(ctx context.Context, opts client.ListOptions) (client.Watcher[cm], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watches = append(s.watches, opts)
	if len(s.watchErrs) > 0 {
		err := s.watchErrs[0]
		s.watchErrs = s.watchErrs[1:]
		return nil, err
	}
	from, err := strconv.Atoi(opts.ResourceVersion)
	if err != nil {
		return nil, apierrors.NewBadRequest("bad resourceVersion " + opts.ResourceVersion)
	}
	w := &fakeWatcher{s: s, ch: make(chan client.Event[cm], 100000)}
	if from < s.oldest {
		w.ch <- client.Event[cm]{Type: meta.Error, Status: apierrors.NewResourceExpired("too old resource version")}
		w.closeLocked()
		return w, nil
	}
	for _, ev := range s.history {
		if n, _ := strconv.Atoi(ev.ResourceVersion); n > from {
			w.ch <- ev
		}
	}
	if s.closeAtOnce {
		w.closeLocked()
		return w, nil
	}
	s.watchers[w] = true
	return w, nil
}

func (s *fakeServer) keysLocked() []string {
	keys := make([]string, 0, len(s.objs))
	for k := range s.objs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// emitLocked records an event and sends it to open watches unless paused.
func (s *fakeServer) emitLocked(ev client.Event[cm]) {
	s.history = append(s.history, ev)
	if s.paused {
		return
	}
	for w := range s.watchers {
		w.ch <- ev
	}
}

// set creates or updates name with data, as a new object (servers never reuse one).
func (s *fakeServer) set(name, data string) cm {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rv++
	rv := strconv.Itoa(s.rv)
	typ, uid := meta.Added, name+"-"+rv
	if old, ok := s.objs[name]; ok {
		typ, uid = meta.Modified, old.UID
	}
	obj := &core.ConfigMap{
		TypeMeta:   meta.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"},
		ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: name, UID: uid, ResourceVersion: rv, Labels: map[string]string{"data": data}},
		Data:       map[string]string{"v": data},
	}
	s.objs[name] = obj
	s.emitLocked(client.Event[cm]{Type: typ, Object: obj, ResourceVersion: rv})
	return obj
}

func (s *fakeServer) del(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.objs[name]
	delete(s.objs, name)
	s.rv++
	rv := strconv.Itoa(s.rv)
	obj := *old
	obj.ResourceVersion = rv
	s.emitLocked(client.Event[cm]{Type: meta.Deleted, Object: &obj, ResourceVersion: rv})
}

// bump advances the version without an event the informer sees (a change to another kind).
func (s *fakeServer) bump(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rv += n
	return strconv.Itoa(s.rv)
}

func (s *fakeServer) bookmark() {
	s.mu.Lock()
	defer s.mu.Unlock()
	rv := strconv.Itoa(s.rv)
	obj := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{ResourceVersion: rv}}
	for w := range s.watchers {
		w.ch <- client.Event[cm]{Type: meta.Bookmark, Object: obj, ResourceVersion: rv}
	}
}

// sendError sends an ERROR event to every open watch.
func (s *fakeServer) sendError(st *meta.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watchers {
		w.ch <- client.Event[cm]{Type: meta.Error, Status: st}
	}
}

// expire drops the history: a watch from any earlier version gets 410.
func (s *fakeServer) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oldest = s.rv
	s.history = nil
}

// closeWatches ends every open watch, as a server does when timeoutSeconds passes.
func (s *fakeServer) closeWatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watchers {
		w.closeLocked()
	}
}

func (s *fakeServer) setPaused(p bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = p
}

func (s *fakeServer) counts() (lists, watches int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lists), len(s.watches)
}

// calls returns copies of the options of every List and Watch so far.
func (s *fakeServer) calls() (lists, watches []client.ListOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lists), slices.Clone(s.watches)
}

func (s *fakeServer) lastWatch() client.ListOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.watches[len(s.watches)-1]
}

func (s *fakeServer) openWatches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watchers)
}

func (s *fakeServer) version() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strconv.Itoa(s.rv)
}

type fakeWatcher struct {
	s      *fakeServer
	ch     chan client.Event[cm]
	closed bool
}

func (w *fakeWatcher) ResultChan() <-chan client.Event[cm] { return w.ch }

func (w *fakeWatcher) Stop() {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.closeLocked()
}

func (w *fakeWatcher) closeLocked() {
	if !w.closed {
		w.closed = true
		close(w.ch)
		delete(w.s.watchers, w)
	}
}

// recorder is a handler that writes each call down as a line.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) handler() Handler[cm] {
	return Handler[cm]{
		OnAdd: func(obj cm, initial bool) {
			r.add(fmt.Sprintf("add %s %s initial=%v", obj.Name, obj.Data["v"], initial))
		},
		OnUpdate: func(old, obj cm) {
			r.add(fmt.Sprintf("update %s %s->%s", obj.Name, old.Data["v"], obj.Data["v"]))
		},
		OnDelete: func(obj cm, unknown bool) {
			r.add(fmt.Sprintf("delete %s %s unknown=%v", obj.Name, obj.Data["v"], unknown))
		},
	}
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// waitLen waits until n events were recorded and returns them.
func (r *recorder) waitLen(t *testing.T, n int) []string {
	t.Helper()
	eventually(t, func() bool { return len(r.get()) >= n }, "%d events, have %v", n, r.get())
	time.Sleep(20 * time.Millisecond) // let any unexpected extra event arrive
	return r.get()
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for "+format, args...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// startInformer runs an informer over s until the test ends.
func startInformer(t *testing.T, s *fakeServer, opts Options, handlers ...Handler[cm]) *Informer[cm] {
	t.Helper()
	if opts.MinBackoff == 0 {
		opts.MinBackoff, opts.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	inf := New[cm](s, opts)
	for _, h := range handlers {
		inf.AddEventHandler(h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		inf.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return inf
}
