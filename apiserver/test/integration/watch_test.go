package integration

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"seven.dev/apiserver/internal/server"
)

func TestWatchBasics(t *testing.T) {
	s := startServer(t, "")
	c := s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "a"}})
	rv := str(c, "metadata", "resourceVersion")
	// From "0": the current state as ADDED, then changes.
	w0 := s.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0")
	ev, ok := w0.next(5 * time.Second)
	if !ok || ev.Type != "ADDED" || str(ev.Object, "metadata", "name") != "a" || str(ev.Object, "kind") != "ConfigMap" {
		t.Fatalf("initial event: %v %v", ok, ev)
	}
	// From the create's version: only what follows.
	w1 := s.watch("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv)
	s.mustDo(200, "PATCH", "/api/v1/namespaces/default/configmaps/a", `{"data":{"x":"1"}}`, "Content-Type", "application/merge-patch+json")
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/configmaps/a", nil)
	for _, w := range []*watchStream{w0, w1} {
		ev, ok = w.next(5 * time.Second)
		if !ok || ev.Type != "MODIFIED" || str(ev.Object, "data", "x") != "1" {
			t.Fatalf("modified event: %v %v", ok, ev)
		}
		ev, ok = w.next(5 * time.Second)
		if !ok || ev.Type != "DELETED" {
			t.Fatalf("deleted event: %v %v", ok, ev)
		}
	}
	// Label-selected watch: an object that stops matching is seen as DELETED.
	ws := s.watch("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=keep%3Dyes")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "b", "labels": map[string]any{"keep": "yes"}}})
	s.mustDo(200, "PATCH", "/api/v1/namespaces/default/configmaps/b", `{"metadata":{"labels":{"keep":"no"}}}`, "Content-Type", "application/merge-patch+json")
	ev, _ = ws.next(5 * time.Second)
	ev2, _ := ws.next(5 * time.Second)
	if ev.Type != "ADDED" || ev2.Type != "DELETED" {
		t.Fatalf("selector transitions: %s then %s", ev.Type, ev2.Type)
	}
	// The legacy /watch/ path and a single-object watch.
	wl := s.watch("/api/v1/watch/namespaces/default/configmaps/b")
	s.mustDo(200, "DELETE", "/api/v1/namespaces/default/configmaps/b", nil)
	ev, _ = wl.next(5 * time.Second)
	if ev.Type != "ADDED" {
		t.Fatalf("legacy watch first event: %v", ev)
	}
	ev, _ = wl.next(5 * time.Second)
	if ev.Type != "DELETED" {
		t.Fatalf("legacy watch second event: %v", ev)
	}
}

func TestWatchTimeoutAndBookmarks(t *testing.T) {
	s := startServer(t, "", func(o *server.Options) { o.BookmarkInterval = 500 * time.Millisecond })
	start := time.Now()
	w := s.watch("/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=2&allowWatchBookmarks=true&resourceVersion=" +
		str(s.mustDo(200, "GET", "/api/v1/namespaces/default/pods", nil), "metadata", "resourceVersion"))
	bookmarks := 0
	for {
		ev, ok := w.next(10 * time.Second)
		if !ok {
			break
		}
		if ev.Type == "BOOKMARK" {
			bookmarks++
			if ev.Object["kind"] != "Pod" || str(ev.Object, "metadata", "resourceVersion") == "" {
				t.Fatalf("bookmark object: %v", ev.Object)
			}
		}
	}
	if d := time.Since(start); d < 1500*time.Millisecond || d > 8*time.Second {
		t.Fatalf("watch with timeoutSeconds=2 lasted %v", d)
	}
	if bookmarks == 0 {
		t.Fatal("no bookmark within 2s at a 500ms interval")
	}
}

func TestWatchTooOldIsGone(t *testing.T) {
	s := startServer(t, "", func(o *server.Options) { o.WatchCacheSize = 20 })
	first := s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "c0"}})
	for i := 1; i < 60; i++ {
		s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": fmt.Sprintf("c%d", i)}})
	}
	w := s.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + str(first, "metadata", "resourceVersion"))
	ev, ok := w.next(5 * time.Second)
	if !ok || ev.Type != "ERROR" || get(ev.Object, "code") != float64(410) || str(ev.Object, "reason") != "Expired" {
		t.Fatalf("want an ERROR event with a 410, got %v %v", ok, ev)
	}
}

// 100 watchers each get every event of a burst, in order.
func TestManyWatchersGetEveryEventInOrder(t *testing.T) {
	s := startServer(t, "")
	rv := str(s.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps", nil), "metadata", "resourceVersion")
	const watchers, burst = 100, 300
	streams := make([]*watchStream, watchers)
	for i := range streams {
		streams[i] = s.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + rv)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < burst/10; j++ {
				s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": fmt.Sprintf("b-%d-%d", i, j)}})
			}
		}(i)
	}
	wg.Wait()
	errs := make(chan error, watchers)
	for i, w := range streams {
		wg.Add(1)
		go func(i int, w *watchStream) {
			defer wg.Done()
			last := int64(0)
			seen := map[string]bool{}
			for n := 0; n < burst; n++ {
				ev, ok := w.next(20 * time.Second)
				if !ok {
					errs <- fmt.Errorf("watcher %d: stream ended after %d events", i, n)
					return
				}
				v, _ := strconv.ParseInt(str(ev.Object, "metadata", "resourceVersion"), 10, 64)
				name := str(ev.Object, "metadata", "name")
				if ev.Type != "ADDED" || v <= last || seen[name] {
					errs <- fmt.Errorf("watcher %d: event %d out of order or repeated: %s %s rv %d after %d", i, n, ev.Type, name, v, last)
					return
				}
				last = v
				seen[name] = true
			}
		}(i, w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A watcher resumes after an API server restart from its last resourceVersion.
func TestWatchSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	rv := str(s.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps", nil), "metadata", "resourceVersion")
	w := s.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + rv)
	s.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "before"}})
	ev, ok := w.next(5 * time.Second)
	if !ok || str(ev.Object, "metadata", "name") != "before" {
		t.Fatalf("event before restart: %v", ev)
	}
	last := str(ev.Object, "metadata", "resourceVersion")
	s.stop()
	if _, ok := w.next(5 * time.Second); ok {
		t.Fatal("stream did not end when the server stopped")
	}
	s2 := startServer(t, dir)
	s2.mustDo(201, "POST", "/api/v1/namespaces/default/configmaps", map[string]any{"metadata": map[string]any{"name": "after"}})
	// Everything stored before the restart is still there.
	s2.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps/before", nil)
	w2 := s2.watch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + last)
	ev, ok = w2.next(5 * time.Second)
	switch {
	case ok && ev.Type == "ADDED" && str(ev.Object, "metadata", "name") == "after":
		// Resumed without loss.
	case ok && ev.Type == "ERROR" && get(ev.Object, "code") == float64(410):
		// Allowed by the contract: the client relists. Check that a relist sees both.
		l := s2.mustDo(200, "GET", "/api/v1/namespaces/default/configmaps", nil)
		if len(get(l, "items").([]any)) != 2 {
			t.Fatalf("relist after 410: %v", l)
		}
	default:
		t.Fatalf("after restart: %v %v", ok, ev)
	}
}

func TestWatchAsTable(t *testing.T) {
	s := startServer(t, "")
	w := s.watch("/api/v1/namespaces/default/pods?watch=true", "Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	s.mustDo(201, "POST", "/api/v1/namespaces/default/pods", pod("tw", nil))
	ev, ok := w.next(5 * time.Second)
	if !ok || ev.Type != "ADDED" || ev.Object["kind"] != "Table" || get(ev.Object, "rows", 0, "cells", 0) != "tw" {
		t.Fatalf("table watch event: %v %v", ok, ev)
	}
}
