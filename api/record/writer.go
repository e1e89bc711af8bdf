package record

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"net/http"
	"sync"
	"time"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// writers is how many events are written at once. Events with the same key always go to
// the same writer, so a repeat never races the write of its original.
const writers = 4

// Run writes queued events until ctx is cancelled; events still queued then are dropped.
// Call it once, in its own goroutine: `go rec.Run(ctx)`.
func (r *Recorder) Run(ctx context.Context) {
	var shards [writers]chan pending
	var wg sync.WaitGroup
	for i := range shards {
		shards[i] = make(chan pending, 64)
		wg.Add(1)
		go func(ch <-chan pending) {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case p := <-ch:
					r.write(ctx, p)
				}
			}
		}(shards[i])
	}
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			if n := len(r.queue); n > 0 {
				r.log.Info("recorder stopping, dropping queued events", "count", n)
			}
			return
		case p := <-r.queue:
			select {
			case shards[shardOf(keyOf(p.ev))] <- p:
			case <-ctx.Done():
				return
			}
		}
	}
}

func shardOf(k eventKey) int {
	h := fnv.New32a()
	h.Write([]byte(k.namespace + "/" + k.name + "/" + k.reason + "/" + k.message))
	return int(h.Sum32() % writers)
}

// countPatch is the merge patch that records one more occurrence of an event.
type countPatch struct {
	Count         int32     `json:"count"`
	LastTimestamp meta.Time `json:"lastTimestamp"`
}

// write creates p's event, or bumps the count of the identical event written within the
// aggregation window.
func (r *Recorder) write(ctx context.Context, p pending) {
	key := keyOf(p.ev)
	r.cacheMu.Lock()
	prev, ok := r.cache.get(key)
	r.cacheMu.Unlock()
	if ok && p.at.Sub(prev.lastSeen) <= r.opts.AggregationWindow {
		data, err := json.Marshal(countPatch{Count: prev.count + 1, LastTimestamp: p.ev.LastTimestamp})
		if err != nil {
			r.log.Error("encode event patch", "err", err)
			return
		}
		var patched *core.Event
		err = r.retry(ctx, "patch", func() error {
			var err error
			patched, err = r.sink.Patch(ctx, prev.namespace, prev.name, data)
			return err
		})
		switch {
		case err == nil:
			r.cacheMu.Lock()
			r.cache.put(key, written{namespace: patched.Namespace, name: patched.Name, count: patched.Count,
				firstTimestamp: prev.firstTimestamp, lastSeen: p.at})
			r.cacheMu.Unlock()
			return
		case !apierrors.IsNotFound(err):
			r.log.Error("could not update event", "event", prev.namespace+"/"+prev.name, "err", err)
			return
		}
		// The event was deleted (or expired): write it again from scratch.
	}
	var created *core.Event
	err := r.retry(ctx, "create", func() error {
		var err error
		created, err = r.sink.Create(ctx, p.ev)
		return err
	})
	if err != nil {
		r.log.Error("could not write event", "event", p.ev.Namespace+"/"+p.ev.Name, "reason", p.ev.Reason, "err", err)
		return
	}
	r.cacheMu.Lock()
	r.cache.put(key, written{namespace: created.Namespace, name: created.Name, count: created.Count,
		firstTimestamp: created.FirstTimestamp, lastSeen: p.at})
	r.cacheMu.Unlock()
}

// retry runs op up to MaxTries times while it fails with an error worth retrying.
func (r *Recorder) retry(ctx context.Context, what string, op func() error) error {
	var err error
	for try := 1; ; try++ {
		if err = op(); err == nil || !retriable(err) || try >= r.opts.MaxTries || ctx.Err() != nil {
			return err
		}
		r.log.Debug("event write failed, retrying", "op", what, "try", try, "err", err)
		t := time.NewTimer(r.opts.RetryInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// retriable reports errors a later attempt may not get: the server unreachable, failing or
// overloaded. A rejected event (4xx) would be rejected again.
func retriable(err error) bool {
	var status *meta.Status
	if !errors.As(err, &status) {
		return true // a transport error
	}
	return status.Code >= http.StatusInternalServerError || status.Code == http.StatusTooManyRequests
}
