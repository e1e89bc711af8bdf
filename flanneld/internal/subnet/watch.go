package subnet

import (
	"context"
	"errors"
	"net/netip"
	"sort"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// EventType says what happened to a lease.
type EventType int

const (
	// Added is a new lease or a changed one (same subnet, new attributes).
	Added EventType = iota
	// Removed is a lease that expired, was revoked or deleted.
	Removed
)

// String is the event type as logged: "added" or "removed".
func (t EventType) String() string {
	if t == Removed {
		return "removed"
	}
	return "added"
}

// Event is one change to the set of leases.
type Event struct {
	Type  EventType
	Lease Lease
}

// retryWait is how long WatchLeases waits before listing or watching again after an error.
const retryWait = time.Second

// WatchLeases calls fn with every change to the leases until ctx ends, starting with the
// current leases as Added events. After a disconnect it resumes from the last revision it
// saw; if etcd has compacted that revision away it lists again and reports the difference, so
// fn always sees each lease's latest state. fn is called once after every list, even with no
// events, and otherwise only with some. It runs on the caller's goroutine.
func (m *Manager) WatchLeases(ctx context.Context, fn func([]Event)) error {
	w := &watcher{m: m, known: map[netip.Prefix]Lease{}}
	return w.run(ctx, fn, true)
}

type watcher struct {
	m     *Manager
	known map[netip.Prefix]Lease
	rev   int64 // last revision whose changes are in known
}

func (w *watcher) run(ctx context.Context, fn func([]Event), relist bool) error {
	for ctx.Err() == nil {
		if relist {
			leases, rev, err := w.m.Leases(ctx)
			if err != nil {
				w.m.log.Warn("list subnet leases failed; retrying", "err", err)
				sleep(ctx, retryWait)
				continue
			}
			fn(w.replace(leases)) // even when empty: it tells fn the list is complete
			w.rev = rev
			relist = false
		}
		compacted, err := w.follow(ctx, fn)
		switch {
		case ctx.Err() != nil:
		case compacted:
			w.m.log.Info("subnet watch fell behind etcd compaction; listing leases again", "revision", w.rev)
			relist = true
		default:
			w.m.log.Warn("subnet watch interrupted; resuming", "fromRevision", w.rev+1, "err", err)
			w.m.fail("watch", err)
			sleep(ctx, retryWait)
		}
	}
	return nil
}

// follow watches from w.rev+1 until the watch ends. compacted reports that w.rev is no longer
// available and the caller must list again.
func (w *watcher) follow(ctx context.Context, fn func([]Event)) (compacted bool, err error) {
	// Require a leader so a member cut off from its cluster ends the watch instead of going
	// quiet; we then resume on whichever member the client reaches.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	ch := w.m.cli.Watch(wctx, w.m.SubnetsPrefix(), clientv3.WithPrefix(), clientv3.WithRev(w.rev+1), clientv3.WithProgressNotify())
	for resp := range ch {
		if resp.CompactRevision != 0 {
			return true, nil
		}
		if err := resp.Err(); err != nil {
			if errors.Is(err, rpctypes.ErrCompacted) {
				return true, nil
			}
			return false, err
		}
		if resp.IsProgressNotify() {
			// Nothing changed up to this revision: resuming from here loses nothing.
			w.rev = max(w.rev, resp.Header.Revision)
			continue
		}
		if evs := w.apply(resp.Events); len(evs) > 0 {
			fn(evs)
		}
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return false, errors.New("watch channel closed")
}

// apply folds watch events into known and returns the lease events they amount to.
func (w *watcher) apply(evs []*clientv3.Event) []Event {
	var out []Event
	for _, ev := range evs {
		w.rev = max(w.rev, ev.Kv.ModRevision)
		p, err := ParseSubnetKey(string(ev.Kv.Key))
		if err != nil {
			w.m.log.Warn("ignoring unexpected key under subnets", "key", string(ev.Kv.Key), "err", err)
			continue
		}
		old, had := w.known[p]
		if ev.Type == clientv3.EventTypeDelete {
			if had {
				delete(w.known, p)
				out = append(out, Event{Type: Removed, Lease: old})
			}
			continue
		}
		l, err := leaseFromKV(ev.Kv.Key, ev.Kv.Value, ev.Kv.Lease, ev.Kv.ModRevision)
		if err != nil {
			w.m.log.Warn("ignoring malformed subnet lease", "key", string(ev.Kv.Key), "err", err)
			if had {
				delete(w.known, p)
				out = append(out, Event{Type: Removed, Lease: old})
			}
			continue
		}
		w.known[p] = l
		if !had || !old.Attrs.Equal(l.Attrs) {
			out = append(out, Event{Type: Added, Lease: l})
		}
	}
	return out
}

// replace makes leases the known set and returns the difference as events.
func (w *watcher) replace(leases []Lease) []Event {
	evs := Diff(w.known, leases)
	w.known = make(map[netip.Prefix]Lease, len(leases))
	for _, l := range leases {
		w.known[l.Subnet] = l
	}
	return evs
}

// Diff returns the events that turn the leases in old into those in now: Removed for leases
// gone, Added for new or changed ones, ordered by subnet.
func Diff(old map[netip.Prefix]Lease, now []Lease) []Event {
	var out []Event
	seen := make(map[netip.Prefix]bool, len(now))
	for _, l := range now {
		seen[l.Subnet] = true
		if o, ok := old[l.Subnet]; !ok || !o.Attrs.Equal(l.Attrs) {
			out = append(out, Event{Type: Added, Lease: l})
		}
	}
	for p, l := range old {
		if !seen[p] {
			out = append(out, Event{Type: Removed, Lease: l})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Lease.Subnet.Addr().Less(out[j].Lease.Subnet.Addr()) })
	return out
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
