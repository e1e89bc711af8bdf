package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
	"seven.dev/apiserver/internal/registry"
	"seven.dev/apiserver/internal/storage"
)

func (h *Resources) watch(w http.ResponseWriter, r *http.Request, q *registry.Request) {
	query := r.URL.Query()
	pred, err := h.predicate(q.Kind, query.Get("labelSelector"), query.Get("fieldSelector"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if q.Name != "" {
		// GET .../pods/x?watch=true (and /watch/.../pods/x) watches one object.
		name, inner := q.Name, pred
		pred = func(a storage.Attrs) bool {
			return a.Fields["metadata.name"] == name && (inner == nil || inner(a))
		}
	}
	timeout := h.cfg.MinWatchTimeout + time.Duration(rand.Int64N(int64(h.cfg.MinWatchTimeout)+1))
	if ts := query.Get("timeoutSeconds"); ts != "" {
		n, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || n < 0 {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("invalid timeoutSeconds %q", ts)))
			return
		}
		if n > 0 {
			timeout = time.Duration(n) * time.Second
		}
	}
	if err := checkResourceVersion(query.Get("resourceVersion")); err != nil {
		writeError(w, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, apierrors.NewInternalError(errors.New("streaming is not supported by this connection")))
		return
	}
	ctx, cancel := contextWithTimeout(r, timeout)
	defer cancel()
	if h.cfg.Stop != nil {
		go func() {
			select {
			case <-h.cfg.Stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	opts := storage.WatchOptions{
		ResourceVersion: query.Get("resourceVersion"),
		Predicate:       pred,
		Bookmarks:       isTrue(query.Get("allowWatchBookmarks")),
	}
	asTable := WantsTable(r) && h.cfg.Table != nil
	watcher, err := h.cfg.Registry.Watch(ctx, q, opts)
	if err != nil {
		var st *meta.Status
		if apierrors.IsGone(err) && errors.As(err, &st) {
			// Upstream starts the stream and sends the 410 as an ERROR event.
			startStream(w)
			writeEvent(w, meta.Error, mustJSON(st))
			flusher.Flush()
			return
		}
		h.fail(w, r, err)
		return
	}
	defer watcher.Stop()
	if h.cfg.Watches != nil {
		h.cfg.Watches.Inc(q.Kind.Group, q.Kind.Version, q.Kind.Kind)
		defer h.cfg.Watches.Dec(q.Kind.Group, q.Kind.Version, q.Kind.Kind)
	}
	startStream(w)
	flusher.Flush()
	h.stream(ctx, w, flusher, r, q, watcher.ResultChan(), asTable)
}

// Flushing after every event costs a write system call per event per watcher, which is
// what limits fan-out to many watchers. A quiet stream is flushed at once; while events
// keep coming, writes are coalesced for at most flushDelay.
const (
	flushDelay = 25 * time.Millisecond
	quietAfter = 100 * time.Millisecond
	maxPending = 32 << 10
)

func (h *Resources) stream(ctx context.Context, w http.ResponseWriter, flusher http.Flusher, r *http.Request, q *registry.Request, ch <-chan storage.Event, asTable bool) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	lastFlush := time.Time{}
	// Events are gathered here and written with one Write per flush: net/http's own
	// buffer is too small to coalesce more than a couple of events.
	var buf bytes.Buffer
	buf.Grow(maxPending + 4<<10)
	failed := false
	flush := func() {
		if buf.Len() > 0 && !failed {
			if _, err := w.Write(buf.Bytes()); err != nil {
				failed = true
			}
			buf.Reset()
		}
		flusher.Flush()
		lastFlush = time.Now()
		if armed {
			timer.Stop()
			armed = false
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			armed = false
			flush()
		case ev, ok := <-ch:
			if !ok {
				flush()
				return
			}
			obj, err := h.eventObject(r, q, ev, asTable)
			if err != nil {
				h.cfg.Logger.Error("watch encode", "err", err)
				return
			}
			appendEvent(&buf, ev.Type, obj)
			if failed {
				return
			}
			switch {
			case buf.Len() >= maxPending:
				flush()
			case len(ch) > 0:
				// More is queued: keep writing, flush when the queue is drained or the timer fires.
				if !armed {
					timer.Reset(flushDelay)
					armed = true
				}
			case time.Since(lastFlush) > quietAfter:
				flush()
			case !armed:
				timer.Reset(flushDelay)
				armed = true
			}
		}
	}
}

// eventObject renders the object of one event for the wire.
func (h *Resources) eventObject(r *http.Request, q *registry.Request, ev storage.Event, asTable bool) ([]byte, error) {
	switch {
	case ev.Type == meta.Bookmark:
		return bookmarkJSON(q.Kind, ev.Object), nil
	case ev.Type == meta.Error:
		return mustJSON(ev.Object), nil
	case asTable:
		t, err := h.table(r, q.Kind, []meta.Object{ev.Object})
		if err != nil {
			return nil, err
		}
		t.ResourceVersion = ev.Object.GetObjectMeta().ResourceVersion
		return mustJSON(t), nil
	}
	return h.encoded(ev.Object), nil
}

func startStream(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Transfer-Encoding", "chunked")
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(http.StatusOK)
}

func writeEvent(w http.ResponseWriter, typ string, obj []byte) bool {
	var buf bytes.Buffer
	appendEvent(&buf, typ, obj)
	_, err := w.Write(buf.Bytes())
	return err == nil
}

func appendEvent(buf *bytes.Buffer, typ string, obj []byte) {
	buf.WriteString(`{"type":"`)
	buf.WriteString(typ)
	buf.WriteString(`","object":`)
	buf.Write(obj)
	buf.WriteString("}\n")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(apierrors.NewInternalError(err))
	}
	return b
}

func bookmarkJSON(k *scheme.Kind, obj meta.Object) []byte {
	rv := ""
	if obj != nil {
		rv = obj.GetObjectMeta().ResourceVersion
	}
	b, _ := json.Marshal(struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
		Metadata   struct {
			ResourceVersion string            `json:"resourceVersion"`
			Annotations     map[string]string `json:"annotations,omitempty"`
		} `json:"metadata"`
	}{Kind: k.Kind, APIVersion: k.GroupVersion(), Metadata: struct {
		ResourceVersion string            `json:"resourceVersion"`
		Annotations     map[string]string `json:"annotations,omitempty"`
	}{ResourceVersion: rv}})
	return b
}

// encodeCache remembers the JSON of recently sent watch objects: the watch cache hands the
// same object to every watcher, so each event is encoded once, not once per watcher.
type encodeCache struct {
	mu    sync.Mutex
	m     map[meta.Object][]byte
	order []meta.Object
	next  int
}

func newEncodeCache(size int) *encodeCache {
	return &encodeCache{m: make(map[meta.Object][]byte, size), order: make([]meta.Object, size)}
}

func (c *encodeCache) get(obj meta.Object) []byte {
	c.mu.Lock()
	b, ok := c.m[obj]
	c.mu.Unlock()
	if ok {
		return b
	}
	b = mustJSON(obj)
	c.mu.Lock()
	if old := c.order[c.next]; old != nil {
		delete(c.m, old)
	}
	c.order[c.next] = obj
	c.m[obj] = b
	c.next = (c.next + 1) % len(c.order)
	c.mu.Unlock()
	return b
}

func (h *Resources) encoded(obj meta.Object) []byte {
	h.encOnce.Do(func() { h.enc = newEncodeCache(4096) })
	return h.enc.get(obj)
}

func contextWithTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}
