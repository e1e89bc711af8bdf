package storage

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/etcd"
)

// widget is the tiny kind the tests store.
type widget struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata"`
	Spec            widgetSpec `json:"spec"`
}

type widgetSpec struct {
	Color   string `json:"color,omitempty"`
	Counter int    `json:"counter,omitempty"`
}

func newWidget(ns, name, color string) *widget {
	return &widget{
		TypeMeta:   meta.TypeMeta{Kind: "Widget", APIVersion: "test/v1"},
		ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name, UID: "uid-" + ns + "-" + name},
		Spec:       widgetSpec{Color: color},
	}
}

func widgetAttrs(o meta.Object) Attrs {
	w := o.(*widget)
	return Attrs{Labels: w.Labels, Fields: map[string]string{
		"metadata.namespace": w.Namespace, "metadata.name": w.Name, "spec.color": w.Spec.Color,
	}}
}

func colorIs(c string) Predicate { return func(a Attrs) bool { return a.Fields["spec.color"] == c } }

// quietLogger discards logs unless STORAGE_TEST_LOG is set.
func quietLogger() *slog.Logger {
	if os.Getenv("STORAGE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testEtcd is an embedded etcd on free loopback ports in t.TempDir(), and a client.
type testEtcd struct {
	emb    *etcd.Embedded
	client *clientv3.Client
}

func startEtcd(t *testing.T) *testEtcd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	emb, err := etcd.StartEmbedded(ctx, etcd.EmbeddedConfig{
		DataDir:   filepath.Join(t.TempDir(), "etcd"),
		ClientURL: "http://127.0.0.1:0",
		PeerURL:   "http://127.0.0.1:0",
		Logger:    quietLogger(),
	})
	if err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	t.Cleanup(emb.Close)
	client, err := etcd.NewClient(etcd.ClientConfig{Endpoints: emb.Endpoints(), Logger: quietLogger()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return &testEtcd{emb: emb, client: client}
}

func widgetConfig(size int) Config {
	return Config{
		Resource:       "widgets",
		Namespaced:     true,
		New:            func() meta.Object { return &widget{} },
		AttrsOf:        widgetAttrs,
		WatchCacheSize: size,
	}
}

// newStore returns a started, ready store (stopped at cleanup).
func (e *testEtcd) newStore(t *testing.T, cfg Config, opts ...Option) *EtcdStore {
	t.Helper()
	s, err := New(e.client, cfg, quietLogger(), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	return s
}

func mustCreate(t *testing.T, s Store, w *widget) *widget {
	t.Helper()
	out, err := s.Create(context.Background(), w)
	if err != nil {
		t.Fatalf("create %s/%s: %v", w.Namespace, w.Name, err)
	}
	return out.(*widget)
}

func mustUpdate(t *testing.T, s Store, ns, name string, f func(*widget)) *widget {
	t.Helper()
	out, err := s.GuaranteedUpdate(context.Background(), ns, name, nil, func(cur meta.Object) (meta.Object, error) {
		w := *cur.(*widget)
		f(&w)
		return &w, nil
	})
	if err != nil {
		t.Fatalf("update %s/%s: %v", ns, name, err)
	}
	return out.(*widget)
}

func mustDelete(t *testing.T, s Store, ns, name string) *widget {
	t.Helper()
	out, err := s.Delete(context.Background(), ns, name, nil, nil)
	if err != nil {
		t.Fatalf("delete %s/%s: %v", ns, name, err)
	}
	return out.(*widget)
}

func mustWatch(t *testing.T, s Store, ns string, opts WatchOptions) Watcher {
	t.Helper()
	w, err := s.Watch(context.Background(), ns, opts)
	if err != nil {
		t.Fatalf("watch %q %+v: %v", ns, opts, err)
	}
	t.Cleanup(w.Stop)
	return w
}

const eventTimeout = 10 * time.Second

// nextEvent is the next event that is not a bookmark.
func nextEvent(t *testing.T, w Watcher) Event {
	t.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("watch channel closed, want an event")
			}
			if ev.Type == meta.Bookmark {
				continue
			}
			return ev
		case <-timeout:
			t.Fatal("no event in time")
		}
	}
}

func expectEvent(t *testing.T, w Watcher, typ, name string) Event {
	t.Helper()
	ev := nextEvent(t, w)
	if ev.Type != typ || ev.Object.GetObjectMeta().Name != name {
		t.Fatalf("event = %s %s, want %s %s", ev.Type, ev.Object.GetObjectMeta().Name, typ, name)
	}
	if rv := ev.Object.GetObjectMeta().ResourceVersion; rv != formatRV(ev.Revision) {
		t.Fatalf("event %s %s: object resourceVersion %s, event revision %d", ev.Type, name, rv, ev.Revision)
	}
	return ev
}

func expectNoEvent(t *testing.T, w Watcher, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("watch channel closed")
			}
			if ev.Type == meta.Bookmark {
				continue
			}
			t.Fatalf("unexpected event %s %s", ev.Type, ev.Object.GetObjectMeta().Name)
		case <-timeout:
			return
		}
	}
}

// expectClosed waits for the watch channel to close, discarding what is still in it.
func expectClosed(t *testing.T, w Watcher) {
	t.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case _, ok := <-w.ResultChan():
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("watch channel not closed in time")
		}
	}
}

func rvOf(o meta.Object) int64 {
	n, err := parseRV(o.GetObjectMeta().ResourceVersion)
	if err != nil {
		panic(err)
	}
	return n
}

func isErr(err, target error) bool { return errors.Is(err, target) }
