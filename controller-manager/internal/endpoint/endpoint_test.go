package endpoint

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/intstr"
)

type fakeClient struct{ actions []string }

func (f *fakeClient) Create(_ context.Context, ep *core.Endpoints) error {
	b, _ := json.Marshal(ep.Subsets)
	f.actions = append(f.actions, "create "+ep.Namespace+"/"+ep.Name+" "+string(b))
	return nil
}
func (f *fakeClient) Update(_ context.Context, ep *core.Endpoints) error {
	b, _ := json.Marshal(ep.Subsets)
	f.actions = append(f.actions, "update "+ep.Namespace+"/"+ep.Name+" "+string(b))
	return nil
}
func (f *fakeClient) Delete(_ context.Context, ns, name string) error {
	f.actions = append(f.actions, "delete "+ns+"/"+name)
	return nil
}

func svc(name string, selector map[string]string, target intstr.IntOrString) *core.Service {
	s := &core.Service{}
	s.Name, s.Namespace = name, "default"
	s.Spec.Selector = selector
	s.Spec.Ports = []core.ServicePort{{Name: "web", Port: 80, TargetPort: target}}
	return s
}

func pod(name, ip string, ready bool, port int32) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace, p.UID = name, "default", "u-"+name
	p.Labels = map[string]string{"app": "web"}
	p.Spec.NodeName = "n1"
	p.Spec.Containers = []core.Container{{Name: "c", Ports: []core.ContainerPort{{Name: "http", ContainerPort: port}}}}
	p.Status.Phase = core.PodRunning
	p.Status.PodIP = ip
	st := core.ConditionFalse
	if ready {
		st = core.ConditionTrue
	}
	p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: st}}
	return p
}

func TestSync(t *testing.T) {
	named := intstr.FromString("http")
	tests := []struct {
		name     string
		services []*core.Service
		pods     []*core.Pod
		existing []*core.Endpoints
		want     []string
	}{
		{
			name:     "ready and not ready, named port per pod",
			services: []*core.Service{svc("web", map[string]string{"app": "web"}, named)},
			pods:     []*core.Pod{pod("b", "10.0.0.2", false, 8080), pod("a", "10.0.0.1", true, 8080), pod("c", "10.0.0.3", true, 9090), pod("noip", "", true, 8080)},
			want: []string{`create default/web [` +
				`{"addresses":[{"ip":"10.0.0.1","nodeName":"n1","targetRef":{"kind":"Pod","namespace":"default","name":"a","uid":"u-a"}}],"notReadyAddresses":[{"ip":"10.0.0.2","nodeName":"n1","targetRef":{"kind":"Pod","namespace":"default","name":"b","uid":"u-b"}}],"ports":[{"name":"web","port":8080,"protocol":"TCP"}]},` +
				`{"addresses":[{"ip":"10.0.0.3","nodeName":"n1","targetRef":{"kind":"Pod","namespace":"default","name":"c","uid":"u-c"}}],"ports":[{"name":"web","port":9090,"protocol":"TCP"}]}]`},
		},
		{
			name:     "service without selector is left alone",
			services: []*core.Service{svc("web", nil, named)},
			pods:     []*core.Pod{pod("a", "10.0.0.1", true, 8080)},
		},
		{
			name:     "deleted service loses its endpoints",
			existing: []*core.Endpoints{{}},
			want:     []string{"delete default/web"},
		},
		{
			name:     "unchanged endpoints are not rewritten",
			services: []*core.Service{svc("web", map[string]string{"app": "web"}, intstr.FromInt32(0))},
			existing: []*core.Endpoints{{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := informer.NewIndexer[*core.Service](nil)
			for _, s := range tt.services {
				ss.Add(s)
			}
			ps := informer.NewIndexer[*core.Pod](nil)
			for _, p := range tt.pods {
				ps.Add(p)
			}
			es := informer.NewIndexer[*core.Endpoints](nil)
			for _, e := range tt.existing {
				e.Name, e.Namespace = "web", "default"
				es.Add(e)
			}
			f := &fakeClient{}
			c := New(ss, ps, es, f, nil, nil)
			if err := c.Sync(context.Background(), "default/web"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Errorf("got  %q\nwant %q", f.actions, tt.want)
			}
		})
	}
}
