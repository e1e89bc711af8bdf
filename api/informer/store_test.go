package informer

import (
	"reflect"
	"sort"
	"sync"
	"testing"

	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
)

func pod(ns, name, node, rv string, lbls map[string]string) *core.Pod {
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name, UID: "uid-" + name, ResourceVersion: rv, Labels: lbls},
		Spec:       core.PodSpec{NodeName: node},
	}
}

func names(objs []*core.Pod) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, KeyOf(o))
	}
	sort.Strings(out)
	return out
}

func newPodIndexer() *Indexer[*core.Pod] {
	return NewIndexer(map[string]IndexFunc[*core.Pod]{
		NodeNameIndex: IndexByField(func(p *core.Pod) string { return p.Spec.NodeName }),
	})
}

func TestIndexes(t *testing.T) {
	s := newPodIndexer()
	s.Add(pod("a", "p1", "n1", "1", map[string]string{"app": "web"}))
	s.Add(pod("a", "p2", "n2", "1", map[string]string{"app": "db"}))
	s.Add(pod("b", "p3", "n1", "1", map[string]string{"app": "web", "tier": "x"}))
	s.Add(pod("b", "p4", "", "1", nil))

	byNode := func(n string) []string {
		out, err := s.ByIndex(NodeNameIndex, n)
		if err != nil {
			t.Fatal(err)
		}
		return names(out)
	}
	for _, tc := range []struct {
		name string
		got  []string
		want []string
	}{
		{"namespace a", names(s.ByNamespace("a")), []string{"a/p1", "a/p2"}},
		{"namespace b", names(s.ByNamespace("b")), []string{"b/p3", "b/p4"}},
		{"label app=web", names(s.ByLabel("app", "web")), []string{"a/p1", "b/p3"}},
		{"label tier=x", names(s.ByLabel("tier", "x")), []string{"b/p3"}},
		{"node n1", byNode("n1"), []string{"a/p1", "b/p3"}},
		{"unscheduled are not indexed", byNode(""), []string{}},
		{"all", names(s.List()), []string{"a/p1", "a/p2", "b/p3", "b/p4"}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	// An update moves the object between index buckets; a delete removes it everywhere.
	s.Add(pod("a", "p1", "n2", "2", map[string]string{"app": "db"}))
	s.Delete("b/p3")
	if got := byNode("n1"); len(got) != 0 {
		t.Errorf("node n1 after moves: %v", got)
	}
	if got := byNode("n2"); !reflect.DeepEqual(got, []string{"a/p1", "a/p2"}) {
		t.Errorf("node n2 after moves: %v", got)
	}
	if got := names(s.ByLabel("app", "web")); len(got) != 0 {
		t.Errorf("app=web after moves: %v", got)
	}
	if _, ok := s.Get("b/p3"); ok || s.Len() != 3 {
		t.Errorf("deleted object still there (len %d)", s.Len())
	}
	if _, err := s.ByIndex("nope", "x"); err == nil {
		t.Error("unknown index: no error")
	}
}

func TestAddIndexersIndexesExistingObjects(t *testing.T) {
	s := NewIndexer[*core.Pod](nil)
	s.Add(pod("a", "p1", "n1", "1", nil))
	if err := s.AddIndexers(map[string]IndexFunc[*core.Pod]{
		NodeNameIndex: IndexByField(func(p *core.Pod) string { return p.Spec.NodeName }),
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ByIndex(NodeNameIndex, "n1"); len(got) != 1 {
		t.Fatalf("existing object not indexed: %v", got)
	}
	if err := s.AddIndexers(map[string]IndexFunc[*core.Pod]{NamespaceIndex: IndexByNamespace[*core.Pod]()}); err == nil {
		t.Fatal("duplicate index name accepted")
	}
}

func TestReplaceDifference(t *testing.T) {
	s := NewIndexer[*core.Pod](nil)
	for _, p := range []*core.Pod{
		pod("ns", "same", "", "1", nil),
		pod("ns", "changed", "", "1", nil),
		pod("ns", "gone", "", "1", nil),
		pod("ns", "recreated", "", "1", nil),
	} {
		s.Add(p)
	}
	recreated := pod("ns", "recreated", "", "7", nil)
	recreated.UID = "other"
	notes := s.replace([]*core.Pod{
		pod("ns", "new", "", "5", nil),
		pod("ns", "same", "", "1", nil),
		pod("ns", "changed", "", "6", nil),
		recreated,
	}, false)
	var got []string
	for _, n := range notes {
		got = append(got, []string{"add", "update", "delete"}[n.kind]+" "+n.obj.Name+" "+n.obj.ResourceVersion)
		if n.kind == deleteNote && !n.unknown {
			t.Errorf("relist delete of %s without finalStateUnknown", n.obj.Name)
		}
	}
	want := []string{"delete gone 1", "delete recreated 1", "add new 5", "update changed 6", "add recreated 7"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("difference %v, want %v", got, want)
	}
	if keys := sorted(s.ListKeys()); !reflect.DeepEqual(keys, []string{"ns/changed", "ns/new", "ns/recreated", "ns/same"}) {
		t.Fatalf("store after replace: %v", keys)
	}
}

func TestApplyIgnoresRepeats(t *testing.T) {
	s := NewIndexer[*core.Pod](nil)
	if _, ok := s.apply(meta.Deleted, pod("ns", "x", "", "2", nil)); ok {
		t.Error("delete of an unknown object announced")
	}
	if n, ok := s.apply(meta.Modified, pod("ns", "x", "", "3", nil)); !ok || n.kind != addNote {
		t.Errorf("modify of an unknown object: %v %v, want an add", n.kind, ok)
	}
	if _, ok := s.apply(meta.Added, pod("ns", "x", "", "3", nil)); ok {
		t.Error("repeat of the cached version announced")
	}
	if n, ok := s.apply(meta.Added, pod("ns", "x", "", "4", nil)); !ok || n.kind != updateNote {
		t.Errorf("add of a known object: %v %v, want an update", n.kind, ok)
	}
}

func TestLister(t *testing.T) {
	s := newPodIndexer()
	s.Add(pod("a", "p1", "", "1", map[string]string{"app": "web", "tier": "fe"}))
	s.Add(pod("a", "p2", "", "1", map[string]string{"app": "web"}))
	s.Add(pod("b", "p3", "", "1", map[string]string{"app": "web", "tier": "fe"}))
	l := NewLister[*core.Pod](s, apierrors.Resource{Resource: "pods"})
	if p, err := l.Get("a", "p1"); err != nil || p.Name != "p1" {
		t.Fatalf("Get: %v %v", p, err)
	}
	if _, err := l.Get("a", "p3"); !apierrors.IsNotFound(err) || err.Error() != `pods "p3" not found` {
		t.Fatalf("Get missing: %v", err)
	}
	sel := func(s string) labels.Selector {
		out, err := labels.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		ns   string
		sel  labels.Selector
		want []string
	}{
		{"", nil, []string{"a/p1", "a/p2", "b/p3"}},
		{"a", nil, []string{"a/p1", "a/p2"}},
		{"a", sel("tier=fe"), []string{"a/p1"}},
		{"", sel("app=web,tier=fe"), []string{"a/p1", "b/p3"}},
		{"", sel("tier!=fe"), []string{"a/p2"}},
		{"b", sel("app in (web)"), []string{"b/p3"}},
	} {
		if got := names(l.List(tc.ns, tc.sel)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("List(%q, %v) = %v, want %v", tc.ns, tc.sel, got, tc.want)
		}
	}
}

func TestKeys(t *testing.T) {
	for _, tc := range []struct{ ns, name, key string }{{"ns", "a", "ns/a"}, {"", "node-1", "node-1"}} {
		if k := Key(tc.ns, tc.name); k != tc.key {
			t.Errorf("Key(%q, %q) = %q", tc.ns, tc.name, k)
		}
		if ns, n := SplitKey(tc.key); ns != tc.ns || n != tc.name {
			t.Errorf("SplitKey(%q) = %q, %q", tc.key, ns, n)
		}
	}
}

// Readers and the writer may run at once (run with -race).
func TestIndexerConcurrentUse(t *testing.T) {
	s := newPodIndexer()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				p := pod("ns", string(rune('a'+w)), "n1", string(rune('0'+i%10)), map[string]string{"w": "x"})
				s.Add(p)
				s.ByLabel("w", "x")
				s.ByNamespace("ns")
				s.List()
				if i%3 == 0 {
					s.Delete(KeyOf(p))
				}
			}
		})
	}
	wg.Wait()
}
