package clientintegration

import (
	"fmt"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/server"
)

func next[T meta.Object](t *testing.T, w client.Watcher[T]) client.Event[T] {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("watch ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	panic("unreachable")
}

func TestWatchFromListVersion(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	ctx := testCtx(t)
	cms := client.ConfigMaps(c)
	if _, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "before", Namespace: "default"}}); err != nil {
		t.Fatal(err)
	}
	l, err := cms.List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, "default", client.ListOptions{ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	cm, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "default"}, Data: map[string]string{"k": "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["k"] = "v2"
	if cm, err = cms.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "default", "a", nil); err != nil {
		t.Fatal(err)
	}
	want := []struct{ typ, data string }{{meta.Added, "v1"}, {meta.Modified, "v2"}, {meta.Deleted, "v2"}}
	lastRV := l.ResourceVersion
	for _, wt := range want {
		ev := next(t, w)
		if ev.Type != wt.typ || ev.Object.Name != "a" || ev.Object.Data["k"] != wt.data {
			t.Fatalf("event %s %+v, want %s with k=%s", ev.Type, ev.Object, wt.typ, wt.data)
		}
		if ev.ResourceVersion == "" || ev.ResourceVersion == lastRV || ev.Object.Kind != "ConfigMap" {
			t.Errorf("event version %q after %q, kind %q", ev.ResourceVersion, lastRV, ev.Object.Kind)
		}
		lastRV = ev.ResourceVersion
	}
	w.Stop()
	select {
	case _, ok := <-w.ResultChan():
		if ok {
			t.Fatal("event after Stop")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after Stop")
	}
}

func TestWatchSelectorsAndBookmarks(t *testing.T) {
	s := startServer(t, func(o *server.Options) { o.BookmarkInterval = 300 * time.Millisecond })
	c := s.client(t)
	ctx := testCtx(t)
	pods := client.Pods(c)
	w, err := pods.Watch(ctx, "", client.ListOptions{LabelSelector: "app=watched", AllowWatchBookmarks: true, ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := pods.Create(ctx, newPod("ignored", map[string]string{"app": "other"})); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Create(ctx, newPod("seen", map[string]string{"app": "watched"})); err != nil {
		t.Fatal(err)
	}
	sawPod, sawBookmark := false, false
	deadline := time.After(15 * time.Second)
	for !sawPod || !sawBookmark {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("watch ended")
			}
			switch ev.Type {
			case meta.Added:
				if ev.Object.Name != "seen" {
					t.Fatalf("selector not applied: %s", ev.Object.Name)
				}
				sawPod = true
			case meta.Bookmark:
				if ev.ResourceVersion == "" || ev.Object.Name != "" {
					t.Fatalf("bookmark %+v", ev)
				}
				sawBookmark = true
			default:
				t.Fatalf("event %s %+v", ev.Type, ev.Status)
			}
		case <-deadline:
			t.Fatalf("pod seen %v, bookmark seen %v", sawPod, sawBookmark)
		}
	}
}

func TestWatchTooOldIsGone(t *testing.T) {
	s := startServer(t, func(o *server.Options) { o.WatchCacheSize = 20 })
	c := s.client(t)
	ctx := testCtx(t)
	cms := client.ConfigMaps(c)
	first, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "c0", Namespace: "default"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 60; i++ {
		if _, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("c%d", i), Namespace: "default"}}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := cms.Watch(ctx, "default", client.ListOptions{ResourceVersion: first.ResourceVersion})
	if err != nil {
		// Either way of saying 410 is fine for a client; upstream uses the ERROR event.
		if !apierrors.IsGone(err) {
			t.Fatalf("watch: %v, want Gone", err)
		}
		return
	}
	defer w.Stop()
	ev := next(t, w)
	if ev.Type != meta.Error || ev.Status == nil || !apierrors.IsGone(ev.Status) {
		t.Fatalf("event %s %+v, want a 410 ERROR", ev.Type, ev.Status)
	}
	if ev.Status.Code != 410 {
		t.Errorf("code %d", ev.Status.Code)
	}
	// The cure for a 410 is a relist and a watch from its version.
	l, err := cms.List(ctx, "default", client.ListOptions{})
	if err != nil || len(l.Items) != 60 {
		t.Fatalf("relist: %d items, %v", len(l.Items), err)
	}
	w2, err := cms.Watch(ctx, "default", client.ListOptions{ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Stop()
	if _, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "after", Namespace: "default"}}); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, w2); ev.Type != meta.Added || ev.Object.Name != "after" {
		t.Fatalf("after relist: %s %+v", ev.Type, ev.Object)
	}
}

func TestWatchEndsWithServerTimeout(t *testing.T) {
	s := startServer(t)
	c := s.client(t)
	one := int64(1)
	start := time.Now()
	w, err := client.Nodes(c).Watch(testCtx(t), "", client.ListOptions{TimeoutSeconds: &one})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for range w.ResultChan() {
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("watch with timeoutSeconds=1 lasted %v", d)
	}
}
