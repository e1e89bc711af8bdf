package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/btree"

	"seven.dev/api/meta"
)

// Watch implements Store; it is served by the watch cache (see watchCache for the window).
//
// ResourceVersion "" or "0" starts with an ADDED event for every current object, then
// every later change. N starts after revision N: ErrGone if the cache's event buffer no
// longer reaches back to N, ErrTooLarge if the cache does not reach N within the
// freshness timeout. The watcher ends on Stop, when ctx is done, when its reader falls
// more than the watcher queue behind, and when the cache restarts its etcd watch; the
// client then watches again from the last resourceVersion it received.
func (s *EtcdStore) Watch(ctx context.Context, namespace string, opts WatchOptions) (Watcher, error) {
	prefix := s.listPrefix(namespace)
	w, err := s.cache.watch(ctx, prefix, opts)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", prefix, err)
	}
	return w, nil
}

func (c *watchCache) watch(ctx context.Context, prefix string, opts WatchOptions) (*cacheWatcher, error) {
	fromState := opts.ResourceVersion == "" || opts.ResourceVersion == "0"
	var minRev int64
	if !fromState {
		var err error
		if minRev, err = parseRV(opts.ResourceVersion); err != nil {
			return nil, err
		}
	}

	c.mu.Lock()
	deadline := time.Now().Add(c.s.opts.freshnessTimeout)
	if err := c.waitLocked(ctx, deadline, minRev, func() bool { return c.ready && c.rev >= minRev }); err != nil {
		ready := c.ready
		c.mu.Unlock()
		switch {
		case !errors.Is(err, ErrTooLarge):
			return nil, err
		case !ready:
			return nil, fmt.Errorf("watch cache not ready after %s: %w", c.s.opts.freshnessTimeout, ErrTooLarge)
		default:
			return nil, fmt.Errorf("resourceVersion %d not reached in %s: %w", minRev, c.s.opts.freshnessTimeout, ErrTooLarge)
		}
	}
	if !fromState && minRev < c.ring.windowStart {
		oldest := c.ring.windowStart
		c.mu.Unlock()
		return nil, fmt.Errorf("too old resource version: %d (%d): %w", minRev, oldest, ErrGone)
	}

	c.nextID++
	w := &cacheWatcher{
		c:         c,
		id:        c.nextID,
		prefix:    prefix,
		pred:      opts.Predicate,
		bookmarks: opts.Bookmarks,
		maxQueue:  c.s.opts.watcherQueue,
		result:    make(chan Event),
		notify:    make(chan struct{}, 1),
		done:      make(chan struct{}),
		exited:    make(chan struct{}),
	}
	var (
		snap   *btree.BTreeG[*cacheEntry]
		replay []Event
	)
	if fromState {
		w.startRev = c.rev
		snap = c.tree.Clone()
	} else {
		w.startRev = minRev
		c.ring.since(minRev, func(ce *cachedEvent) {
			if ev, ok := w.convert(ce); ok {
				replay = append(replay, ev)
			}
		})
	}
	c.watchers[w.id] = w
	c.wg.Add(1)
	c.mu.Unlock()

	go w.run(ctx, snap, replay)
	return w, nil
}

func (c *watchCache) remove(w *cacheWatcher) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watchers[w.id] == w {
		delete(c.watchers, w.id)
	}
}

// cacheWatcher is one watch on the cache. The cache pushes converted events into its
// queue without ever blocking; its goroutine sends them to the reader.
type cacheWatcher struct {
	c         *watchCache
	id        uint64
	prefix    string
	pred      Predicate
	bookmarks bool
	// startRev: the watcher gets the events after it.
	startRev int64
	maxQueue int

	result chan Event
	notify chan struct{} // has something queued
	done   chan struct{} // closed by terminate
	exited chan struct{} // closed when run returns
	once   sync.Once

	mu     sync.Mutex
	queue  []Event
	spare  []Event
	closed bool
	// epoch is the cache's batch the last push belonged to, and base the queue's length
	// before that batch.
	epoch uint64
	base  int
}

var _ Watcher = (*cacheWatcher)(nil)

// ResultChan implements Watcher.
func (w *cacheWatcher) ResultChan() <-chan Event { return w.result }

// Stop implements Watcher: when it returns, the result channel is closed.
func (w *cacheWatcher) Stop() {
	w.terminate()
	<-w.exited
}

// terminate makes the watcher's goroutine end and close the result channel.
func (w *cacheWatcher) terminate() {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.queue, w.spare = nil, nil
		w.mu.Unlock()
		close(w.done)
	})
}

func (w *cacheWatcher) matches(a Attrs) bool { return w.pred == nil || w.pred(a) }

// convert is what this watcher sees of ce, if anything. Like upstream, an object that
// starts matching the predicate arrives as ADDED, and one that stops matching as DELETED
// (with its new state).
func (w *cacheWatcher) convert(ce *cachedEvent) (Event, bool) {
	if !strings.HasPrefix(ce.key, w.prefix) {
		return Event{}, false
	}
	typ := ""
	switch ce.typ {
	case meta.Added:
		if w.matches(ce.attrs) {
			typ = meta.Added
		}
	case meta.Modified:
		cur := w.matches(ce.attrs)
		prev := cur // unknown previous state: no transition
		if ce.hasPrev {
			prev = w.matches(ce.prevAttrs)
		}
		switch {
		case cur && prev:
			typ = meta.Modified
		case cur:
			typ = meta.Added
		case prev:
			typ = meta.Deleted
		}
	case meta.Deleted:
		if w.matches(ce.attrs) {
			typ = meta.Deleted
		}
	}
	if typ == "" {
		return Event{}, false
	}
	return Event{Type: typ, Object: ce.obj, Revision: ce.rev}, true
}

// push queues ev, an event of the cache's batch epoch; false when the reader is too far
// behind (the caller then terminates the watcher). The limit applies to what was queued
// before the batch: etcd delivers events in batches, hundreds at a time when a watch
// catches up, and a reader that keeps up must not be dropped because one batch is large.
func (w *cacheWatcher) push(ev Event, epoch uint64) bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return true
	}
	if w.epoch != epoch {
		w.epoch, w.base = epoch, len(w.queue)
	}
	if w.base >= w.maxQueue {
		w.mu.Unlock()
		return false
	}
	w.queue = append(w.queue, ev)
	w.mu.Unlock()
	w.wake()
	return true
}

// pushBookmark queues a bookmark at rev unless the queue is full; a bookmark still
// waiting at the end of the queue is moved forward instead of adding another.
func (w *cacheWatcher) pushBookmark(rev int64) {
	w.mu.Lock()
	switch n := len(w.queue); {
	case w.closed, n >= w.maxQueue:
	case n > 0 && w.queue[n-1].Type == meta.Bookmark:
		w.queue[n-1].Revision = rev
	default:
		w.queue = append(w.queue, Event{Type: meta.Bookmark, Revision: rev})
	}
	w.mu.Unlock()
	w.wake()
}

func (w *cacheWatcher) wake() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// take empties the queue into a batch the goroutine owns.
func (w *cacheWatcher) take() []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	batch := w.queue
	w.queue, w.spare = w.spare, nil
	return batch
}

// recycle gives a sent batch back as the next queue's storage.
func (w *cacheWatcher) recycle(batch []Event) {
	clear(batch)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed && cap(batch) <= 2*w.maxQueue {
		w.spare = batch[:0]
	}
}

func (w *cacheWatcher) run(ctx context.Context, snap *btree.BTreeG[*cacheEntry], replay []Event) {
	defer func() {
		w.terminate()
		w.c.remove(w)
		close(w.result)
		close(w.exited)
		w.c.wg.Done()
	}()
	if snap != nil {
		ok := true
		ascendPrefix(snap, w.prefix, func(e *cacheEntry) bool {
			if w.matches(e.attrs) {
				ok = w.send(ctx, Event{Type: meta.Added, Object: e.obj, Revision: e.rev})
			}
			return ok
		})
		if !ok {
			return
		}
	}
	for _, ev := range replay {
		if !w.send(ctx, ev) {
			return
		}
	}
	for {
		select {
		case <-w.notify:
		case <-w.done:
			return
		case <-ctx.Done():
			return
		}
		batch := w.take()
		for _, ev := range batch {
			if ev.Type == meta.Bookmark {
				ev.Object = w.bookmarkObject(ev.Revision)
			}
			if !w.send(ctx, ev) {
				return
			}
		}
		w.recycle(batch)
	}
}

func (w *cacheWatcher) send(ctx context.Context, ev Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// bookmarkObject is a fresh object (never shared, so the HTTP layer may fill its kind)
// carrying only the resourceVersion.
func (w *cacheWatcher) bookmarkObject(rev int64) meta.Object {
	obj := w.c.s.cfg.New()
	*obj.GetTypeMeta() = meta.TypeMeta{}
	obj.GetObjectMeta().ResourceVersion = formatRV(rev)
	return obj
}

// eventRing keeps the last events of the resource for watches that resume.
type eventRing struct {
	buf     []*cachedEvent
	head, n int
	// windowStart is the revision after which the ring holds every event: a watch from
	// resourceVersion N can be served iff N >= windowStart.
	windowStart int64
}

func newEventRing(size int) eventRing { return eventRing{buf: make([]*cachedEvent, size)} }

func (r *eventRing) reset(windowStart int64) {
	clear(r.buf)
	r.head, r.n = 0, 0
	r.windowStart = windowStart
}

func (r *eventRing) add(ce *cachedEvent) {
	if r.n == len(r.buf) {
		// Evicting the oldest event: only revisions after it are complete now (a
		// multi-key transaction's events share a revision).
		r.windowStart = r.buf[r.head].rev
		r.buf[r.head] = ce
		r.head = (r.head + 1) % len(r.buf)
		return
	}
	r.buf[(r.head+r.n)%len(r.buf)] = ce
	r.n++
}

func (r *eventRing) at(i int) *cachedEvent { return r.buf[(r.head+i)%len(r.buf)] }

// since calls fn, oldest first, for every buffered event after revision rev.
func (r *eventRing) since(rev int64, fn func(*cachedEvent)) {
	i := sort.Search(r.n, func(i int) bool { return r.at(i).rev > rev })
	for ; i < r.n; i++ {
		fn(r.at(i))
	}
}
