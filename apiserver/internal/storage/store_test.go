package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"seven.dev/api/meta"
)

func TestCreateGet(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()

	created := mustCreate(t, s, newWidget("ns1", "a", "red"))
	if created.ResourceVersion == "" {
		t.Fatal("created object has no resourceVersion")
	}
	got, err := s.Get(ctx, "ns1", "a")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if w := got.(*widget); w.ResourceVersion != created.ResourceVersion || w.Spec.Color != "red" || w.Kind != "Widget" {
		t.Errorf("get = %+v, want the created object", w)
	}

	// Stored: JSON at /registry/<resource>/<ns>/<name>, without resourceVersion.
	raw, err := e.client.Get(ctx, "/registry/widgets/ns1/a")
	if err != nil || len(raw.Kvs) != 1 {
		t.Fatalf("raw get: %v %v", raw, err)
	}
	if v := string(raw.Kvs[0].Value); strings.Contains(v, "resourceVersion") || !strings.Contains(v, `"color":"red"`) {
		t.Errorf("stored value %s: want JSON without resourceVersion", v)
	}
	if fmt.Sprint(raw.Kvs[0].ModRevision) != created.ResourceVersion {
		t.Errorf("mod revision %d, resourceVersion %s", raw.Kvs[0].ModRevision, created.ResourceVersion)
	}

	if _, err := s.Create(ctx, newWidget("ns1", "a", "blue")); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("second create: err = %v, want ErrAlreadyExists", err)
	}
	if _, err := s.Get(ctx, "ns1", "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get missing: err = %v, want ErrNotFound", err)
	}
	withRV := newWidget("ns1", "b", "red")
	withRV.ResourceVersion = "5"
	if _, err := s.Create(ctx, withRV); err == nil {
		t.Error("create with a resourceVersion: want error")
	}
	if _, err := s.Create(ctx, newWidget("", "c", "red")); err == nil {
		t.Error("create without namespace in a namespaced resource: want error")
	}
	if _, err := s.Create(ctx, newWidget("ns1", "x/y", "red")); err == nil {
		t.Error("create with '/' in the name: want error")
	}
}

func TestClusterScopedKeys(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	cfg := widgetConfig(0)
	cfg.Resource, cfg.Namespaced = "gadgets", false
	s := e.newStore(t, cfg)
	mustCreate(t, s, newWidget("", "g1", "red"))
	raw, err := e.client.Get(context.Background(), "/registry/gadgets/g1")
	if err != nil || len(raw.Kvs) != 1 {
		t.Fatalf("raw get /registry/gadgets/g1: %v %v", raw, err)
	}
	if _, err := s.Get(context.Background(), "", "g1"); err != nil {
		t.Fatalf("get: %v", err)
	}
}

func TestGuaranteedUpdate(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()
	created := mustCreate(t, s, newWidget("ns", "a", "red"))

	updated := mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Color = "blue" })
	if updated.Spec.Color != "blue" || rvOf(updated) <= rvOf(created) {
		t.Fatalf("updated = %+v (rv %s), want blue with a newer rv than %s", updated.Spec, updated.ResourceVersion, created.ResourceVersion)
	}

	// Returning cur, or an identical object, writes nothing.
	before, _ := e.client.Get(ctx, "/registry/widgets/ns/a")
	same, err := s.GuaranteedUpdate(ctx, "ns", "a", nil, func(cur meta.Object) (meta.Object, error) { return cur, nil })
	if err != nil || same.GetObjectMeta().ResourceVersion != updated.ResourceVersion {
		t.Fatalf("no-op update = %v, %v", same, err)
	}
	copyOf, err := s.GuaranteedUpdate(ctx, "ns", "a", nil, func(cur meta.Object) (meta.Object, error) {
		w := *cur.(*widget)
		return &w, nil
	})
	if err != nil || copyOf.GetObjectMeta().ResourceVersion != updated.ResourceVersion {
		t.Fatalf("identical update = %v, %v", copyOf, err)
	}
	after, _ := e.client.Get(ctx, "/registry/widgets/ns/a")
	if before.Header.Revision != after.Header.Revision {
		t.Errorf("no-op updates wrote: revision %d -> %d", before.Header.Revision, after.Header.Revision)
	}

	setGreen := func(cur meta.Object) (meta.Object, error) {
		w := *cur.(*widget)
		w.Spec.Color = "green"
		return &w, nil
	}
	for _, tc := range []struct {
		name string
		pre  *Preconditions
		want error
	}{
		{"uid mismatch", &Preconditions{UID: "other"}, ErrConflict},
		{"stale resourceVersion", &Preconditions{ResourceVersion: created.ResourceVersion}, ErrConflict},
		{"matching", &Preconditions{UID: created.UID, ResourceVersion: updated.ResourceVersion}, nil},
	} {
		_, err := s.GuaranteedUpdate(ctx, "ns", "a", tc.pre, setGreen)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.GuaranteedUpdate(ctx, "ns", "missing", nil, setGreen); !errors.Is(err, ErrNotFound) {
		t.Errorf("update missing: err = %v, want ErrNotFound", err)
	}
	boom := errors.New("boom")
	if _, err := s.GuaranteedUpdate(ctx, "ns", "a", nil, func(meta.Object) (meta.Object, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: err = %v, want boom", err)
	}
}

func TestGuaranteedUpdateConcurrent(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	mustCreate(t, s, newWidget("ns", "counter", "red"))
	const updaters, each = 20, 5
	var wg sync.WaitGroup
	var calls atomic.Int64
	errs := make(chan error, updaters*each)
	for range updaters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := s.GuaranteedUpdate(context.Background(), "ns", "counter", nil, func(cur meta.Object) (meta.Object, error) {
					calls.Add(1)
					w := *cur.(*widget)
					w.Spec.Counter++
					return &w, nil
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("update: %v", err)
	}
	got, err := s.Get(context.Background(), "ns", "counter")
	if err != nil {
		t.Fatal(err)
	}
	if n := got.(*widget).Spec.Counter; n != updaters*each {
		t.Errorf("counter = %d, want %d", n, updaters*each)
	}
	t.Logf("%d updates took %d calls of fn", updaters*each, calls.Load())
}

func TestGuaranteedUpdateLostRace(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()
	created := mustCreate(t, s, newWidget("ns", "a", "red"))

	// fn races with another writer on its first call.
	racing := func(calls *int) UpdateFunc {
		return func(cur meta.Object) (meta.Object, error) {
			*calls++
			if *calls == 1 {
				mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Counter += 10 })
			}
			w := *cur.(*widget)
			w.Spec.Counter++
			return &w, nil
		}
	}

	// With a resourceVersion precondition a lost race is a conflict, not a retry.
	calls := 0
	_, err := s.GuaranteedUpdate(ctx, "ns", "a", &Preconditions{ResourceVersion: created.ResourceVersion}, racing(&calls))
	if !errors.Is(err, ErrConflict) || calls != 1 {
		t.Errorf("lost race with rv precondition: err = %v after %d calls, want ErrConflict after 1", err, calls)
	}

	// Without one, fn runs again on the fresh state.
	calls = 0
	out, err := s.GuaranteedUpdate(ctx, "ns", "a", nil, racing(&calls))
	if err != nil || calls != 2 {
		t.Fatalf("lost race: err = %v after %d calls, want success after 2", err, calls)
	}
	if n := out.(*widget).Spec.Counter; n != 21 {
		t.Errorf("counter = %d, want 21 (10 + 10 + 1)", n)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()
	created := mustCreate(t, s, newWidget("ns", "a", "red"))

	if _, err := s.Delete(ctx, "ns", "a", &Preconditions{UID: "other"}, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("delete with wrong uid: err = %v, want ErrConflict", err)
	}
	if _, err := s.Delete(ctx, "ns", "a", &Preconditions{ResourceVersion: "1"}, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("delete with stale rv: err = %v, want ErrConflict", err)
	}
	refuse := errors.New("has finalizers")
	if _, err := s.Delete(ctx, "ns", "a", nil, func(meta.Object) error { return refuse }); !errors.Is(err, refuse) {
		t.Errorf("delete refused by check: err = %v, want the check's error", err)
	}

	// A write between read and delete: check runs again on the new state.
	checks := 0
	last, err := s.Delete(ctx, "ns", "a", &Preconditions{UID: created.UID}, func(cur meta.Object) error {
		checks++
		if checks == 1 {
			mustUpdate(t, s, "ns", "a", func(w *widget) { w.Spec.Color = "blue" })
		}
		return nil
	})
	if err != nil || checks != 2 {
		t.Fatalf("delete after a race: err = %v after %d checks, want success after 2", err, checks)
	}
	if w := last.(*widget); w.Spec.Color != "blue" || rvOf(w) <= rvOf(created) {
		t.Errorf("deleted object = %+v rv %s, want the last state (blue) with the deletion's rv", w.Spec, w.ResourceVersion)
	}
	raw, _ := e.client.Get(ctx, "/registry/widgets/ns/a")
	if len(raw.Kvs) != 0 || raw.Header.Revision != rvOf(last) {
		t.Errorf("after delete: %d keys, revision %d; want none and the deleted object's rv %d", len(raw.Kvs), raw.Header.Revision, rvOf(last))
	}
	if _, err := s.Delete(ctx, "ns", "a", nil, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete missing: err = %v, want ErrNotFound", err)
	}
}

func names(items []meta.Object) []string {
	out := make([]string, len(items))
	for i, o := range items {
		out[i] = o.GetObjectMeta().Namespace + "/" + o.GetObjectMeta().Name
	}
	return out
}

func TestListPaging(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()
	var want []string
	for _, ns := range []string{"a", "b"} {
		for i := range 12 {
			color := "red"
			if i%3 == 0 {
				color = "blue"
			}
			w := mustCreate(t, s, newWidget(ns, fmt.Sprintf("w%02d", i), color))
			want = append(want, ns+"/"+w.Name)
		}
	}

	// All namespaces, pages of 10, one snapshot: a write between pages is not seen.
	var got []string
	opts := ListOptions{Limit: 10}
	var rev int64
	for page := 0; ; page++ {
		res, err := s.List(ctx, "", opts)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if page == 0 {
			rev = res.ResourceVersion
			if res.RemainingItemCount == nil || *res.RemainingItemCount != 14 {
				t.Errorf("first page remainingItemCount = %v, want 14", res.RemainingItemCount)
			}
			mustCreate(t, s, newWidget("b", "z-late", "red"))
		} else if res.ResourceVersion != rev {
			t.Errorf("page %d at rv %d, want the first page's %d", page, res.ResourceVersion, rev)
		}
		got = append(got, names(res.Items)...)
		if res.Continue == "" {
			break
		}
		opts.Continue = res.Continue
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged list = %v\nwant %v", got, want)
	}

	// One namespace with a predicate: each page is filled up to the limit.
	opts = ListOptions{Limit: 3, Predicate: colorIs("blue")}
	got = nil
	for {
		res, err := s.List(ctx, "b", opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Continue != "" && len(res.Items) != 3 {
			t.Errorf("filtered page has %d items, want 3", len(res.Items))
		}
		if res.RemainingItemCount != nil {
			t.Errorf("filtered page has remainingItemCount %d, want none", *res.RemainingItemCount)
		}
		got = append(got, names(res.Items)...)
		if res.Continue == "" {
			break
		}
		opts.Continue = res.Continue
	}
	if want := "b/w00,b/w03,b/w06,b/w09"; strings.Join(got, ",") != want {
		t.Errorf("filtered pages = %v, want %s", got, want)
	}

	// Unlimited, consistent list.
	res, err := s.List(ctx, "a", ListOptions{})
	if err != nil || len(res.Items) != 12 || res.Continue != "" {
		t.Errorf("list a = %d items, continue %q, err %v; want 12, none", len(res.Items), res.Continue, err)
	}
}

func TestListContinueErrors(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0))
	ctx := context.Background()
	for i := range 5 {
		mustCreate(t, s, newWidget("ns", fmt.Sprintf("w%d", i), "red"))
	}
	first, err := s.List(ctx, "ns", ListOptions{Limit: 2})
	if err != nil || first.Continue == "" {
		t.Fatalf("first page: %v %v", first, err)
	}
	token := func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }
	for _, tc := range []struct {
		name string
		opts ListOptions
	}{
		{"not base64", ListOptions{Continue: "!!!"}},
		{"not json", ListOptions{Continue: token("nope")}},
		{"wrong version", ListOptions{Continue: token(`{"v":"x","rv":3,"start":"a"}`)}},
		{"no start", ListOptions{Continue: token(`{"v":"meta.k8s.io/v1","rv":3,"start":""}`)}},
		{"path traversal", ListOptions{Continue: token(`{"v":"meta.k8s.io/v1","rv":3,"start":"../../secrets/"}`)}},
		{"with resourceVersion", ListOptions{Continue: first.Continue, ResourceVersion: "0"}},
	} {
		if _, err := s.List(ctx, "ns", tc.opts); !errors.Is(err, ErrInvalidContinue) {
			t.Errorf("%s: err = %v, want ErrInvalidContinue", tc.name, err)
		}
	}

	// Once its revision is compacted, a continue token is gone.
	mustUpdate(t, s, "ns", "w0", func(w *widget) { w.Spec.Counter++ })
	latest, _ := e.client.Get(ctx, "/")
	if _, err := e.client.Compact(ctx, latest.Header.Revision); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(ctx, "ns", ListOptions{Limit: 2, Continue: first.Continue}); !errors.Is(err, ErrGone) {
		t.Errorf("continue after compaction: err = %v, want ErrGone", err)
	}
}

func TestContinueTokenFormat(t *testing.T) {
	t.Parallel()
	tok, err := encodeContinue("/registry/pods/ns/b\x00", "/registry/pods/", 42)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["v"] != "meta.k8s.io/v1" || m["rv"] != float64(42) || m["start"] != "ns/b\x00" {
		t.Errorf("token = %s", raw)
	}
	key, rev, err := decodeContinue(tok, "/registry/pods/")
	if err != nil || key != "/registry/pods/ns/b\x00" || rev != 42 {
		t.Errorf("decode = %q %d %v", key, rev, err)
	}
}

func TestListFromCache(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	s := e.newStore(t, widgetConfig(0), WithFreshnessTimeout(500*time.Millisecond))
	ctx := context.Background()
	mustCreate(t, s, newWidget("a", "x", "red"))
	mustCreate(t, s, newWidget("b", "y", "blue"))
	last := mustCreate(t, s, newWidget("b", "z", "red"))

	// RV=N waits for the cache to reach N.
	res, err := s.List(ctx, "", ListOptions{ResourceVersion: last.ResourceVersion, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(res.Items), ","); got != "a/x,b/y,b/z" || res.ResourceVersion < rvOf(last) {
		t.Errorf("list at rv %s = %s at %d, want all three (limit ignored) at >= %s", last.ResourceVersion, got, res.ResourceVersion, last.ResourceVersion)
	}
	res, err = s.List(ctx, "b", ListOptions{ResourceVersion: "0", Predicate: colorIs("red")})
	if err != nil || strings.Join(names(res.Items), ",") != "b/z" {
		t.Errorf("list b red at 0 = %v %v, want b/z", names(res.Items), err)
	}

	// A revision written by another resource is reached through etcd's progress report.
	other, err := e.client.Put(ctx, "/registry/other/o", "{}")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(ctx, "", ListOptions{ResourceVersion: fmt.Sprint(other.Header.Revision)}); err != nil {
		t.Errorf("list at another resource's revision: %v", err)
	}
	if _, err := s.List(ctx, "", ListOptions{ResourceVersion: fmt.Sprint(other.Header.Revision + 1000)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("list at a future revision: err = %v, want ErrTooLarge", err)
	}
	if s.Count() != 3 {
		t.Errorf("Count() = %d, want 3", s.Count())
	}
}
