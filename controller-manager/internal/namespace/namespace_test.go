package namespace

import (
	"context"
	"reflect"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

type fakeAPI struct {
	left    map[string]int // resource -> objects still listed
	actions []string
}

func (f *fakeAPI) DeleteCollection(_ context.Context, k *scheme.Kind, ns string) error {
	f.actions = append(f.actions, "deletecollection "+k.Resource+" "+ns)
	return nil
}
func (f *fakeAPI) List(_ context.Context, k *scheme.Kind, ns string) ([]meta.PartialObjectMetadata, error) {
	return make([]meta.PartialObjectMetadata, f.left[k.Resource]), nil
}
func (f *fakeAPI) Finalize(_ context.Context, ns *core.Namespace) error {
	f.actions = append(f.actions, "finalize "+ns.Name)
	if len(ns.Spec.Finalizers) != 0 {
		f.actions = append(f.actions, "finalizers left!")
	}
	return nil
}

func TestSync(t *testing.T) {
	s := scheme.Default()
	pods, _ := s.ByResource("", "pods")
	rcs, _ := s.ByResource("", "replicationcontrollers")
	kinds := []*scheme.Kind{pods, rcs}
	terminating := &core.Namespace{}
	terminating.Name = "doomed"
	terminating.Status.Phase = core.NamespaceTerminating
	terminating.Spec.Finalizers = []core.FinalizerName{FinalizerKubernetes}
	active := &core.Namespace{}
	active.Name = "doomed"
	tests := []struct {
		name string
		ns   *core.Namespace
		left map[string]int
		want []string
	}{
		{"active namespace untouched", active, nil, nil},
		{"empties then finalizes", terminating, nil, []string{"deletecollection pods doomed", "deletecollection replicationcontrollers doomed", "finalize doomed"}},
		{"waits while objects remain", terminating, map[string]int{"pods": 1}, []string{"deletecollection pods doomed", "deletecollection replicationcontrollers doomed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := informer.NewIndexer[*core.Namespace](nil)
			st.Add(tt.ns)
			f := &fakeAPI{left: tt.left}
			c := New(st, kinds, f, nil, nil)
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "doomed"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Fatalf("got %q want %q", f.actions, tt.want)
			}
		})
	}
}
