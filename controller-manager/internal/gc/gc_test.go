package gc

import (
	"context"
	"reflect"
	"testing"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

type fakeAPI struct {
	live    map[string]*meta.PartialObjectMetadata // "resource ns/name"
	actions []string
}

func (f *fakeAPI) Get(_ context.Context, k *scheme.Kind, ns, name string) (*meta.PartialObjectMetadata, error) {
	if o, ok := f.live[k.Resource+" "+ns+"/"+name]; ok {
		return o, nil
	}
	return nil, apierrors.NewNotFound(apierrors.Resource{Resource: k.Resource}, name)
}
func (f *fakeAPI) Delete(_ context.Context, k *scheme.Kind, ns, name, uid, policy string) error {
	f.actions = append(f.actions, "delete "+k.Resource+" "+ns+"/"+name+" uid="+uid+" "+policy)
	return nil
}
func (f *fakeAPI) Patch(_ context.Context, k *scheme.Kind, ns, name string, p []byte) error {
	f.actions = append(f.actions, "patch "+k.Resource+" "+ns+"/"+name+" "+string(p))
	return nil
}

func ref(kind, name, uid string, block bool) meta.OwnerReference {
	t := true
	r := meta.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: &t}
	if block {
		r.BlockOwnerDeletion = &t
	}
	return r
}

func TestClassify(t *testing.T) {
	refs := []meta.OwnerReference{ref("ReplicaSet", "a", "1", true), ref("ReplicaSet", "b", "2", true)}
	tests := []struct {
		name   string
		states []OwnerState
		want   Action
	}{
		{"all present", []OwnerState{Present, Present}, Action{}},
		{"one dangling", []OwnerState{Present, Absent}, Action{RemoveRefs: []string{"2"}}},
		{"all gone", []OwnerState{Absent, Absent}, Action{Delete: true, Policy: "Background"}},
		{"owner deleting in foreground", []OwnerState{WaitingForDependents, Absent}, Action{Delete: true, Policy: "Foreground"}},
	}
	for _, tt := range tests {
		if got := Classify(refs, tt.states); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v want %+v", tt.name, got, tt.want)
		}
	}
}

type world struct {
	c    *Collector
	api  *fakeAPI
	pods *informer.Indexer[*core.Pod]
	rss  *informer.Indexer[*apps.ReplicaSet]
}

func newWorld() *world {
	s := scheme.Default()
	pk, _ := s.ByResource("", "pods")
	rk, _ := s.ByResource("apps", "replicasets")
	w := &world{api: &fakeAPI{live: map[string]*meta.PartialObjectMetadata{}},
		pods: informer.NewIndexer(OwnerIndexers[*core.Pod]()), rss: informer.NewIndexer(OwnerIndexers[*apps.ReplicaSet]())}
	w.c = New([]Source{NewSource(pk, w.pods), NewSource(rk, w.rss)}, s, w.api, nil, nil)
	return w
}

func podOf(name string, refs ...meta.OwnerReference) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace, p.UID, p.ResourceVersion, p.OwnerReferences = name, "ns", "u-"+name, "5", refs
	return p
}

func rsNamed(name string, finalizer string) *apps.ReplicaSet {
	r := &apps.ReplicaSet{}
	r.Name, r.Namespace, r.UID, r.ResourceVersion = name, "ns", "rs-"+name, "9"
	if finalizer != "" {
		now := meta.Now()
		r.DeletionTimestamp = &now
		r.Finalizers = []string{finalizer}
	}
	return r
}

func TestSync(t *testing.T) {
	t.Run("background: dependent of a vanished owner is deleted", func(t *testing.T) {
		w := newWorld()
		w.pods.Add(podOf("p", ref("ReplicaSet", "gone", "rs-gone", true)))
		if err := w.c.Sync(context.Background(), "pods.|ns/p"); err != nil {
			t.Fatal(err)
		}
		want := []string{"delete pods ns/p uid=u-p Background"}
		if !reflect.DeepEqual(w.api.actions, want) {
			t.Fatalf("got %q", w.api.actions)
		}
	})
	t.Run("owner only missing from the cache is not a reason to delete", func(t *testing.T) {
		w := newWorld()
		w.pods.Add(podOf("p", ref("ReplicaSet", "new", "rs-new", true)))
		w.api.live["replicasets ns/new"] = &meta.PartialObjectMetadata{ObjectMeta: meta.ObjectMeta{Name: "new", UID: "rs-new"}}
		if err := w.c.Sync(context.Background(), "pods.|ns/p"); err != nil {
			t.Fatal(err)
		}
		if len(w.api.actions) != 0 {
			t.Fatalf("got %q", w.api.actions)
		}
	})
	t.Run("foreground: deletes blocking dependents, keeps the finalizer while they exist", func(t *testing.T) {
		w := newWorld()
		w.rss.Add(rsNamed("web", meta.FinalizerDeleteDependents))
		w.pods.Add(podOf("p", ref("ReplicaSet", "web", "rs-web", true)))
		if err := w.c.Sync(context.Background(), "replicasets.apps|ns/web"); err != nil {
			t.Fatal(err)
		}
		want := []string{"delete pods ns/p uid=u-p Foreground"}
		if !reflect.DeepEqual(w.api.actions, want) {
			t.Fatalf("got %q", w.api.actions)
		}
		w.pods.Delete("ns/p")
		w.api.actions = nil
		if err := w.c.Sync(context.Background(), "replicasets.apps|ns/web"); err != nil {
			t.Fatal(err)
		}
		want = []string{`patch replicasets ns/web {"metadata":{"finalizers":null,"resourceVersion":"9"}}`}
		if !reflect.DeepEqual(w.api.actions, want) {
			t.Fatalf("got %q", w.api.actions)
		}
	})
	t.Run("orphan: strips references then the finalizer", func(t *testing.T) {
		w := newWorld()
		w.rss.Add(rsNamed("web", meta.FinalizerOrphanDependents))
		w.pods.Add(podOf("p", ref("ReplicaSet", "web", "rs-web", true)))
		if err := w.c.Sync(context.Background(), "replicasets.apps|ns/web"); err != nil {
			t.Fatal(err)
		}
		want := []string{
			`patch pods ns/p {"metadata":{"ownerReferences":null,"resourceVersion":"5"}}`,
			`patch replicasets ns/web {"metadata":{"finalizers":null,"resourceVersion":"9"}}`,
		}
		if !reflect.DeepEqual(w.api.actions, want) {
			t.Fatalf("got %q", w.api.actions)
		}
	})
}
