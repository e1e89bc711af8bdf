package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/google/btree"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/api/meta"
)

const (
	// loadPageSize is how many keys one range of the cache's initial list reads.
	loadPageSize = 1000
	// Backoff between attempts to (re)build the cache after an etcd error.
	minRestartBackoff = 100 * time.Millisecond
	maxRestartBackoff = 5 * time.Second
	// progressPoll is how often a reader waiting for a revision asks etcd for progress.
	progressPoll = 100 * time.Millisecond
)

// cacheEntry is one current object of the cache.
type cacheEntry struct {
	key   string
	obj   meta.Object
	attrs Attrs
	rev   int64 // the object's mod revision
}

func lessEntry(a, b *cacheEntry) bool { return a.key < b.key }

// cachedEvent is one change to the resource, decoded once and shared by every watcher.
type cachedEvent struct {
	typ string // meta.Added, meta.Modified or meta.Deleted
	key string
	// obj is the new state; for deletions the last state with the deletion's revision.
	obj   meta.Object
	attrs Attrs
	// prevAttrs are the attributes before a modification, when known (hasPrev).
	prevAttrs Attrs
	hasPrev   bool
	rev       int64
}

// watchCache holds the current objects of one resource and its recent events, fed by one
// etcd watch, and fans the events out to watchers.
//
// After any error of the etcd watch (compaction, lost leader, closed channel) it closes
// every watcher, lists again and rewatches: clients re-watch from the last
// resourceVersion they saw, which the rebuilt event buffer serves when etcd still has
// that history, and 410 Gone otherwise.
type watchCache struct {
	s    *EtcdStore
	size int
	// openWatch opens the etcd watch; tests wrap it to inject errors.
	openWatch func(ctx context.Context, key string, opts ...clientv3.OpOption) clientv3.WatchChan

	mu sync.Mutex
	// ready is true while tree and ring reflect a running etcd watch.
	ready bool
	// changed is closed (and replaced) when ready or rev change; waiters select on it.
	changed chan struct{}
	// tree holds the current objects by key, at revision rev.
	tree *btree.BTreeG[*cacheEntry]
	// rev is the revision the objects in tree are current at: the newest event applied,
	// or a newer revision etcd reported progress to.
	rev int64
	// bufRev is the revision up to which every event is in the ring (and was dispatched).
	// It trails rev while the history before the initial list is replayed.
	bufRev   int64
	ring     eventRing
	watchers map[uint64]*cacheWatcher
	nextID   uint64
	// epoch counts the batches of events from etcd (see cacheWatcher.push).
	epoch           uint64
	pendingBookmark bool

	// progressReq asks the run loop for an etcd progress notification.
	progressReq chan struct{}
	startOnce   sync.Once
	stopOnce    sync.Once
	cancel      context.CancelFunc
	stopped     chan struct{} // closed by stop
	done        chan struct{} // closed when run returns
	wg          sync.WaitGroup
}

func newWatchCache(s *EtcdStore) *watchCache {
	return &watchCache{
		s:           s,
		size:        s.cfg.WatchCacheSize,
		openWatch:   s.client.Watch,
		changed:     make(chan struct{}),
		tree:        btree.NewG(32, lessEntry),
		ring:        newEventRing(s.cfg.WatchCacheSize),
		watchers:    make(map[uint64]*cacheWatcher),
		progressReq: make(chan struct{}, 1),
		stopped:     make(chan struct{}),
		done:        make(chan struct{}),
	}
}

func (c *watchCache) start(ctx context.Context) error {
	started := false
	c.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(ctx)
		c.mu.Lock()
		c.cancel = cancel
		c.mu.Unlock()
		started = true
		go c.run(ctx)
	})
	if !started {
		return fmt.Errorf("start watch cache of %s: already started or stopped", c.s.cfg.Resource)
	}
	return nil
}

func (c *watchCache) stop() {
	c.stopOnce.Do(func() {
		close(c.stopped)
		// If it never started, it never will, and nothing else closes done.
		c.startOnce.Do(func() { close(c.done) })
		c.mu.Lock()
		cancel := c.cancel
		c.mu.Unlock()
		if cancel != nil {
			cancel()
		}
	})
	<-c.done
	c.wg.Wait()
}

func (c *watchCache) run(ctx context.Context) {
	defer close(c.done)
	backoff := minRestartBackoff
	for {
		began := time.Now()
		err := c.sync(ctx)
		c.reset()
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > time.Minute {
			backoff = minRestartBackoff
		}
		c.s.logger.Warn("watch cache: etcd list or watch failed; watchers closed, relisting", "err", err, "backoff", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxRestartBackoff)
	}
}

// reset closes every watcher and marks the cache not ready, after its etcd watch ended.
func (c *watchCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready = false
	for id, w := range c.watchers {
		delete(c.watchers, id)
		w.terminate()
	}
	c.pendingBookmark = false
	c.notifyLocked()
}

func (c *watchCache) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// sync loads the resource, then follows its etcd watch until an error or ctx is done.
func (c *watchCache) sync(ctx context.Context) error {
	tree, listRev, err := c.load(ctx)
	if err != nil {
		return err
	}
	// Replay the history before the list into the event buffer, so that a client that
	// watched an earlier incarnation of the cache (an API server restart) can resume.
	from := c.historyStart(ctx, listRev)

	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := c.openWatch(wctx, c.s.prefix, clientv3.WithPrefix(), clientv3.WithRev(from),
		clientv3.WithPrevKV(), clientv3.WithProgressNotify())

	c.mu.Lock()
	c.tree = tree
	c.rev = listRev
	c.bufRev = from - 1
	c.ring.reset(from - 1)
	c.ready = true
	c.notifyLocked()
	c.mu.Unlock()
	c.s.logger.Debug("watch cache ready", "revision", listRev, "objects", tree.Len(), "historyFrom", from)

	ticker := time.NewTicker(c.s.opts.bookmarkInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case resp, ok := <-wch:
			if !ok {
				return fmt.Errorf("watch %s: channel closed", c.s.prefix)
			}
			if err := resp.Err(); err != nil {
				return fmt.Errorf("watch %s from revision %d: %w", c.s.prefix, from, err)
			}
			if resp.IsProgressNotify() {
				c.progress(resp.Header.Revision)
				continue
			}
			c.apply(resp.Events)
		case <-ticker.C:
			c.bookmarkTick(wctx)
		case <-c.progressReq:
			if err := c.s.client.RequestProgress(wctx); err != nil && wctx.Err() == nil {
				c.s.logger.Debug("request etcd watch progress", "err", err)
			}
		}
	}
}

// load lists the resource from etcd at one revision, in pages.
func (c *watchCache) load(ctx context.Context) (*btree.BTreeG[*cacheEntry], int64, error) {
	tree := btree.NewG(32, lessEntry)
	key, end := c.s.prefix, clientv3.GetPrefixRangeEnd(c.s.prefix)
	var rev int64
	for {
		ops := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(loadPageSize)}
		if rev > 0 {
			ops = append(ops, clientv3.WithRev(rev))
		}
		resp, err := c.s.client.Get(ctx, key, ops...)
		if err != nil {
			return nil, 0, fmt.Errorf("load %s: %w", c.s.prefix, err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			obj, err := c.s.decode(kv.Value, kv.ModRevision)
			if err != nil {
				// One undecodable object must not keep the whole resource from being served.
				c.s.logger.Error("watch cache: skipping undecodable object", "key", string(kv.Key), "err", err)
				continue
			}
			tree.ReplaceOrInsert(&cacheEntry{key: string(kv.Key), obj: obj, attrs: c.s.cfg.AttrsOf(obj), rev: kv.ModRevision})
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return tree, rev, nil
		}
		key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

// historyStart is the revision to watch from so that the events before listRev refill the
// buffer: size revisions back (each revision holds at least one event), but not before
// etcd's compacted revision. Events at the compacted revision itself have lost their
// previous values, so history starts just after it.
func (c *watchCache) historyStart(ctx context.Context, listRev int64) int64 {
	from := max(listRev-int64(c.size)+1, 1)
	if c.readable(ctx, from) {
		return from
	}
	// Find the compacted revision: the oldest one still readable.
	lo, hi := from+1, listRev
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.readable(ctx, mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo + 1
}

func (c *watchCache) readable(ctx context.Context, rev int64) bool {
	_, err := c.s.client.Get(ctx, c.s.prefix, clientv3.WithRev(rev), clientv3.WithCountOnly())
	return err == nil
}

// decodedEvent is an etcd event decoded outside the cache's lock.
type decodedEvent struct {
	ce *cachedEvent
	// history: the event is not newer than the tree (replayed from before the list).
	history bool
	// missingPrev: a history event that needed its previous value and came without it.
	missingPrev bool
}

// apply decodes a batch of etcd events, applies them to the objects, buffers and
// dispatches them. Only the run loop calls it, so it may read rev without the lock.
func (c *watchCache) apply(events []*clientv3.Event) {
	decoded := make([]decodedEvent, 0, len(events))
	for _, ev := range events {
		d, err := c.decodeEvent(ev)
		if err != nil {
			c.s.logger.Error("watch cache: skipping undecodable event", "key", string(ev.Kv.Key), "revision", ev.Kv.ModRevision, "err", err)
			continue
		}
		decoded = append(decoded, d)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	advanced := false
	for _, d := range decoded {
		ce := d.ce
		switch {
		case !d.history:
			c.applyLiveLocked(ce)
			if ce.rev > c.rev {
				c.rev = ce.rev
				advanced = true
			}
		case d.missingPrev:
			// The history is only complete after this event; watchers relying on the
			// older part start over.
			c.ring.reset(ce.rev)
			for id, w := range c.watchers {
				if w.startRev < ce.rev {
					delete(c.watchers, id)
					w.terminate()
				}
			}
		}
		if ce.obj == nil {
			continue
		}
		c.ring.add(ce)
		c.bufRev = ce.rev
		c.dispatchLocked(ce)
	}
	if advanced {
		c.notifyLocked()
	}
}

// decodeEvent decodes what can be decoded without the lock. Events of one revision (a
// multi-key transaction) are all history or all live, as the boundary is the tree's
// revision before the batch.
func (c *watchCache) decodeEvent(ev *clientv3.Event) (decodedEvent, error) {
	rev := ev.Kv.ModRevision
	ce := &cachedEvent{key: string(ev.Kv.Key), rev: rev}
	d := decodedEvent{ce: ce, history: rev <= c.rev}
	var err error
	switch ev.Type {
	case mvccpb.PUT:
		if ce.obj, err = c.s.decode(ev.Kv.Value, rev); err != nil {
			return d, err
		}
		ce.attrs = c.s.cfg.AttrsOf(ce.obj)
		if ev.IsCreate() {
			ce.typ = meta.Added
			return d, nil
		}
		ce.typ = meta.Modified
		if !d.history {
			return d, nil // the previous state is in the tree
		}
		var prev meta.Object
		if ev.PrevKv != nil {
			prev, err = c.s.decode(ev.PrevKv.Value, ev.PrevKv.ModRevision)
		}
		if ev.PrevKv == nil || err != nil {
			d.missingPrev = true
			return d, nil
		}
		ce.prevAttrs, ce.hasPrev = c.s.cfg.AttrsOf(prev), true
		return d, nil
	case mvccpb.DELETE:
		ce.typ = meta.Deleted
		if ev.PrevKv != nil {
			if obj, err := c.s.decode(ev.PrevKv.Value, rev); err == nil {
				ce.obj, ce.attrs = obj, c.s.cfg.AttrsOf(obj)
				ce.prevAttrs, ce.hasPrev = ce.attrs, true
				return d, nil
			}
		}
		// Live, the last state comes from the tree; history without it is lost.
		d.missingPrev = d.history
		return d, nil
	}
	return d, fmt.Errorf("unknown event type %v", ev.Type)
}

// applyLiveLocked applies an event newer than the tree to the tree, filling in what it
// knows of the previous state.
func (c *watchCache) applyLiveLocked(ce *cachedEvent) {
	switch ce.typ {
	case meta.Added, meta.Modified:
		old, existed := c.tree.ReplaceOrInsert(&cacheEntry{key: ce.key, obj: ce.obj, attrs: ce.attrs, rev: ce.rev})
		if existed {
			ce.typ = meta.Modified
			ce.prevAttrs, ce.hasPrev = old.attrs, true
		} else {
			ce.typ = meta.Added
		}
	case meta.Deleted:
		old, existed := c.tree.Delete(&cacheEntry{key: ce.key})
		if ce.obj == nil && existed {
			obj, err := c.copyAt(old.obj, ce.rev)
			if err != nil {
				c.s.logger.Error("watch cache: copy deleted object", "key", ce.key, "err", err)
				return
			}
			ce.obj, ce.attrs = obj, old.attrs
			ce.prevAttrs, ce.hasPrev = old.attrs, true
		}
	}
}

// copyAt is a deep copy of obj (through its JSON) with resourceVersion rev; cached
// objects are shared and never modified, not even for a moment (so not through encode).
func (c *watchCache) copyAt(obj meta.Object, rev int64) (meta.Object, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return c.s.decode(data, rev)
}

// progress records an etcd progress notification: every event up to rev was delivered.
func (c *watchCache) progress(rev int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rev > c.bufRev {
		c.bufRev = rev
	}
	if rev > c.rev {
		c.rev = rev
		c.notifyLocked()
	}
	if c.pendingBookmark {
		c.pendingBookmark = false
		c.sendBookmarksLocked()
	}
}

// bookmarkTick asks etcd for progress, so the bookmarks carry a fresh revision even when
// the resource is quiet; they go out when the answer comes (see progress). If the previous
// answer never came (an etcd without progress requests), they go out now.
func (c *watchCache) bookmarkTick(wctx context.Context) {
	c.mu.Lock()
	want := false
	for _, w := range c.watchers {
		if w.bookmarks {
			want = true
			break
		}
	}
	if c.pendingBookmark {
		c.sendBookmarksLocked()
	}
	c.pendingBookmark = want
	c.mu.Unlock()
	if !want {
		return
	}
	if err := c.s.client.RequestProgress(wctx); err != nil {
		c.mu.Lock()
		if c.pendingBookmark {
			c.pendingBookmark = false
			c.sendBookmarksLocked()
		}
		c.mu.Unlock()
	}
}

func (c *watchCache) sendBookmarksLocked() {
	for _, w := range c.watchers {
		if w.bookmarks {
			w.pushBookmark(max(w.startRev, c.bufRev))
		}
	}
}

// dispatchLocked hands ce to every interested watcher; a watcher whose reader is more
// than the queue behind is closed rather than waited for.
func (c *watchCache) dispatchLocked(ce *cachedEvent) {
	for id, w := range c.watchers {
		if ce.rev <= w.startRev {
			continue
		}
		ev, ok := w.convert(ce)
		if !ok {
			continue
		}
		if !w.push(ev, c.epoch) {
			delete(c.watchers, id)
			w.terminate()
			c.s.logger.Info("closing watcher that does not keep up", "queued", c.s.opts.watcherQueue, "revision", ce.rev)
		}
	}
}
