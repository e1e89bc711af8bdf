package serviceaccount

import (
	"context"
	"reflect"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
)

type fakeAPI struct{ actions []string }

func (f *fakeAPI) Create(_ context.Context, sa *core.ServiceAccount) error {
	f.actions = append(f.actions, "create "+sa.Namespace+"/"+sa.Name)
	return nil
}

func TestSync(t *testing.T) {
	ns := func(phase core.NamespacePhase, deleting bool) *core.Namespace {
		n := &core.Namespace{}
		n.Name = "team"
		n.Status.Phase = phase
		if deleting {
			now := meta.Now()
			n.DeletionTimestamp = &now
		}
		return n
	}
	sa := &core.ServiceAccount{}
	sa.Name, sa.Namespace = "default", "team"
	tests := []struct {
		name string
		ns   *core.Namespace
		sas  []*core.ServiceAccount
		want []string
	}{
		{"creates the default account", ns(core.NamespaceActive, false), nil, []string{"create team/default"}},
		{"already there", ns(core.NamespaceActive, false), []*core.ServiceAccount{sa}, nil},
		{"terminating namespace", ns(core.NamespaceTerminating, true), nil, nil},
		{"namespace gone", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nss := informer.NewIndexer[*core.Namespace](nil)
			if tt.ns != nil {
				nss.Add(tt.ns)
			}
			sas := informer.NewIndexer[*core.ServiceAccount](nil)
			for _, s := range tt.sas {
				sas.Add(s)
			}
			f := &fakeAPI{}
			c := New(nss, sas, f, nil, nil)
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "team"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Fatalf("got %q want %q", f.actions, tt.want)
			}
		})
	}
}
