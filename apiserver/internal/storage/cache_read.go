package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/btree"
	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/api/meta"
)

// requestProgress asks the run loop, without blocking, for a progress notification.
func (c *watchCache) requestProgress() {
	select {
	case c.progressReq <- struct{}{}:
	default:
	}
}

// errCacheStopped is returned by cache reads after Stop.
var errCacheStopped = errors.New("watch cache stopped")

// waitLocked waits, with c.mu held on entry and on return, until cond holds, ctx is done,
// the cache stops or the deadline passes (ErrTooLarge). While the cache is behind needRev
// it keeps asking etcd for progress: etcd drops a progress request while any watcher on
// the stream is still catching up, so one request may not be enough.
func (c *watchCache) waitLocked(ctx context.Context, deadline time.Time, needRev int64, cond func() bool) error {
	for !cond() {
		d := time.Until(deadline)
		if d <= 0 {
			return ErrTooLarge
		}
		if c.ready && needRev > c.rev {
			c.requestProgress()
			d = min(d, progressPoll)
		}
		timer := time.NewTimer(d)
		changed := c.changed
		c.mu.Unlock()
		var err error
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			err = ctx.Err()
		case <-c.stopped:
			err = errCacheStopped
		case <-c.done:
			err = errCacheStopped
		}
		timer.Stop()
		c.mu.Lock()
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *watchCache) waitReady(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waitLocked(ctx, time.Now().Add(100*365*24*time.Hour), 0, func() bool { return c.ready })
}

// list serves a list from the cache once it is at least at minRev. served is false while
// the cache is not ready: the caller asks etcd instead.
func (c *watchCache) list(ctx context.Context, prefix string, minRev int64, pred Predicate) (res ListResult, served bool, err error) {
	c.mu.Lock()
	if !c.ready {
		c.mu.Unlock()
		return ListResult{}, false, nil
	}
	deadline := time.Now().Add(c.s.opts.freshnessTimeout)
	err = c.waitLocked(ctx, deadline, minRev, func() bool { return !c.ready || c.rev >= minRev })
	if err != nil {
		c.mu.Unlock()
		if errors.Is(err, ErrTooLarge) {
			return ListResult{}, false, fmt.Errorf("resourceVersion %d not reached in %s: %w", minRev, c.s.opts.freshnessTimeout, ErrTooLarge)
		}
		return ListResult{}, false, err
	}
	if !c.ready {
		c.mu.Unlock()
		return ListResult{}, false, nil
	}
	// The clone is O(1) and safe to read while the tree moves on.
	snap, rev := c.tree.Clone(), c.rev
	c.mu.Unlock()

	res.ResourceVersion = rev
	res.Items = make([]meta.Object, 0)
	ascendPrefix(snap, prefix, func(e *cacheEntry) bool {
		if pred == nil || pred(e.attrs) {
			res.Items = append(res.Items, e.obj)
		}
		return true
	})
	return res, true, nil
}

// ascendPrefix calls fn in key order for the entries under prefix, while it returns true.
func ascendPrefix(t *btree.BTreeG[*cacheEntry], prefix string, fn func(*cacheEntry) bool) {
	t.AscendRange(&cacheEntry{key: prefix}, &cacheEntry{key: clientv3.GetPrefixRangeEnd(prefix)}, fn)
}

func (c *watchCache) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tree.Len()
}

func (c *watchCache) currentRevision() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rev
}

func (c *watchCache) watcherCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.watchers)
}
