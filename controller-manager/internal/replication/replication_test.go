package replication

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
)

var now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func rc(name string, replicas int32) *core.ReplicationController {
	r := &core.ReplicationController{}
	r.Name, r.Namespace, r.UID, r.Generation = name, "default", "uid-"+name, 2
	r.Spec.Replicas = &replicas
	r.Spec.Selector = map[string]string{"app": name}
	r.Spec.Template = &core.PodTemplateSpec{}
	r.Spec.Template.Labels = map[string]string{"app": name, "tier": "web"}
	r.Spec.Template.Spec.Containers = []core.Container{{Name: "c", Image: "nginx"}}
	return r
}

type podOpt func(*core.Pod)

func owned(owner *core.ReplicationController) podOpt {
	return func(p *core.Pod) {
		t := true
		p.OwnerReferences = []meta.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: owner.Name, UID: owner.UID, Controller: &t}}
	}
}
func onNode(n string) podOpt        { return func(p *core.Pod) { p.Spec.NodeName = n } }
func phase(ph core.PodPhase) podOpt { return func(p *core.Pod) { p.Status.Phase = ph } }
func ready(since time.Time) podOpt {
	return func(p *core.Pod) {
		p.Status.Conditions = append(p.Status.Conditions, core.PodCondition{Type: core.PodReady, Status: core.ConditionTrue, LastTransitionTime: meta.NewTime(since)})
	}
}
func created(t time.Time) podOpt { return func(p *core.Pod) { p.CreationTimestamp = meta.NewTime(t) } }
func restartsOf(n int32) podOpt {
	return func(p *core.Pod) { p.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", RestartCount: n}} }
}
func lbls(kv ...string) podOpt {
	return func(p *core.Pod) {
		p.Labels = map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}

func pod(name string, opts ...podOpt) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace, p.UID, p.ResourceVersion = name, "default", "uid-"+name, "7"
	p.Status.Phase = core.PodPending
	for _, o := range opts {
		o(p)
	}
	return p
}

type harness struct {
	c      *Controller[*core.ReplicationController]
	pods   *fakePods
	status []string
}

func newHarness(owners []*core.ReplicationController, pods []*core.Pod) *harness {
	h := &harness{pods: &fakePods{}}
	os := informer.NewIndexer[*core.ReplicationController](nil)
	for _, o := range owners {
		os.Add(o)
	}
	ps := informer.NewIndexer[*core.Pod](nil)
	for _, p := range pods {
		ps.Add(p)
	}
	ad := RCAdapter(nil)
	ad.UpdateStatus = func(_ context.Context, r *core.ReplicationController) error {
		s := r.Status
		h.status = append(h.status, fmt.Sprintf("status %s replicas=%d labeled=%d ready=%d available=%d gen=%d",
			r.Name, s.Replicas, s.FullyLabeledReplicas, s.ReadyReplicas, s.AvailableReplicas, s.ObservedGeneration))
		return nil
	}
	h.c = New(Config[*core.ReplicationController]{Name: "replicationcontroller", Adapter: ad, Owners: os, Pods: ps, Client: h.pods, Now: func() time.Time { return now }})
	return h
}

func TestSync(t *testing.T) {
	web := rc("web", 3)
	tests := []struct {
		name    string
		owner   *core.ReplicationController
		pods    []*core.Pod
		actions []string
		status  []string
	}{
		{
			name:    "creates missing replicas",
			owner:   web,
			pods:    []*core.Pod{pod("web-a", owned(web), lbls("app", "web", "tier", "web"))},
			actions: []string{"create default/web-* owner=web", "create default/web-* owner=web"},
			status:  []string{"status web replicas=1 labeled=1 ready=0 available=0 gen=2"},
		},
		{
			name:  "deletes the least valuable on scale-down",
			owner: rc("web", 1),
			pods: []*core.Pod{
				pod("running", owned(web), lbls("app", "web"), onNode("n1"), phase(core.PodRunning), ready(now.Add(-time.Hour))),
				pod("pending", owned(web), lbls("app", "web"), onNode("n1")),
				pod("unscheduled", owned(web), lbls("app", "web")),
			},
			actions: []string{"delete default/unscheduled", "delete default/pending"},
			status:  []string{"status web replicas=3 labeled=0 ready=1 available=1 gen=2"},
		},
		{
			name:    "adopts a matching orphan and ignores terminal and foreign pods",
			owner:   rc("web", 1),
			pods:    []*core.Pod{pod("orphan", lbls("app", "web", "tier", "web")), pod("done", lbls("app", "web"), phase(core.PodSucceeded)), pod("other", lbls("app", "db"))},
			actions: []string{`patch default/orphan {"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ReplicationController","name":"web","uid":"uid-web","controller":true,"blockOwnerDeletion":true}],"resourceVersion":"7"}}`},
			status:  []string{"status web replicas=1 labeled=1 ready=0 available=0 gen=2"},
		},
		{
			name:    "releases an owned pod that stopped matching",
			owner:   rc("web", 0),
			pods:    []*core.Pod{pod("relabeled", owned(web), lbls("app", "debug"))},
			actions: []string{`patch default/relabeled {"metadata":{"ownerReferences":[],"resourceVersion":"7"}}`},
			status:  []string{"status web replicas=0 labeled=0 ready=0 available=0 gen=2"},
		},
		{
			name: "steady state writes nothing",
			owner: func() *core.ReplicationController {
				r := rc("web", 1)
				r.Status = core.ReplicationControllerStatus{Replicas: 1, FullyLabeledReplicas: 1, ObservedGeneration: 2}
				return r
			}(),
			pods: []*core.Pod{pod("web-a", owned(web), lbls("app", "web", "tier", "web"))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness([]*core.ReplicationController{tt.owner}, tt.pods)
			if err := h.c.Sync(context.Background(), "default/web"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h.pods.actions, tt.actions) {
				t.Errorf("actions:\n got %q\nwant %q", h.pods.actions, tt.actions)
			}
			if !reflect.DeepEqual(h.status, tt.status) {
				t.Errorf("status:\n got %q\nwant %q", h.status, tt.status)
			}
		})
	}
}

func TestExpectationsPreventDoubleCreate(t *testing.T) {
	h := newHarness([]*core.ReplicationController{rc("web", 2)}, nil)
	ctx := context.Background()
	if err := h.c.Sync(ctx, "default/web"); err != nil {
		t.Fatal(err)
	}
	// The cache has not seen the two new pods yet: a second sync must not create more.
	if err := h.c.Sync(ctx, "default/web"); err != nil {
		t.Fatal(err)
	}
	if len(h.pods.actions) != 2 {
		t.Fatalf("want 2 creates while expectations are pending, got %q", h.pods.actions)
	}
	h.c.Expectations.CreationObserved("default/web")
	h.c.Expectations.CreationObserved("default/web")
	if err := h.c.Sync(ctx, "default/web"); err != nil {
		t.Fatal(err)
	}
	if len(h.pods.actions) != 4 {
		t.Fatalf("once observed (and the cache still empty) the controller acts again: %q", h.pods.actions)
	}
}

func TestFailedCreateLowersExpectations(t *testing.T) {
	h := newHarness([]*core.ReplicationController{rc("web", 3)}, nil)
	h.pods.failOn = "create default/web-* owner=web"
	if err := h.c.Sync(context.Background(), "default/web"); err == nil {
		t.Fatal("want the create error")
	}
	if !h.c.Expectations.Satisfied("default/web") {
		t.Fatal("a failed create must not leave the controller waiting for pods that never come")
	}
}

func TestDeletedOwnerIsNoop(t *testing.T) {
	h := newHarness(nil, []*core.Pod{pod("x", lbls("app", "web"))})
	if err := h.c.Sync(context.Background(), "default/web"); err != nil {
		t.Fatal(err)
	}
	if len(h.pods.actions) != 0 {
		t.Fatalf("actions %q", h.pods.actions)
	}
}

func TestPodsToDelete(t *testing.T) {
	old, young := now.Add(-time.Hour), now.Add(-time.Minute)
	tests := []struct {
		name string
		pods []*core.Pod
		want string
	}{
		{"unscheduled before scheduled", []*core.Pod{pod("a", onNode("n")), pod("b")}, "b"},
		{"pending before running", []*core.Pod{pod("a", onNode("n"), phase(core.PodRunning)), pod("b", onNode("n"))}, "b"},
		{"not ready before ready", []*core.Pod{pod("a", onNode("n"), phase(core.PodRunning), ready(old)), pod("b", onNode("n"), phase(core.PodRunning))}, "b"},
		{"ready more recently first", []*core.Pod{pod("a", onNode("n"), phase(core.PodRunning), ready(old)), pod("b", onNode("n"), phase(core.PodRunning), ready(young))}, "b"},
		{"more restarts first", []*core.Pod{pod("a", onNode("n"), restartsOf(1)), pod("b", onNode("n"), restartsOf(5))}, "b"},
		{"newer first", []*core.Pod{pod("a", onNode("n"), created(old)), pod("b", onNode("n"), created(young))}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PodsToDelete(tt.pods, 1)
			if len(got) != 1 || got[0].Name != tt.want {
				t.Fatalf("got %v, want %s", got[0].Name, tt.want)
			}
		})
	}
	if n := len(PodsToDelete([]*core.Pod{pod("a")}, 3)); n != 1 {
		t.Fatalf("asking for more than there are: %d", n)
	}
}

func TestComputeStatusMinReady(t *testing.T) {
	pods := []*core.Pod{
		pod("a", lbls("app", "web", "tier", "web"), ready(now.Add(-time.Minute))),
		pod("b", lbls("app", "web"), ready(now.Add(-time.Second))),
		pod("c", lbls("app", "web")),
	}
	got := ComputeStatus(pods, map[string]string{"app": "web", "tier": "web"}, 10, 4, now)
	want := Status{Replicas: 3, FullyLabeledReplicas: 1, ReadyReplicas: 2, AvailableReplicas: 1, ObservedGeneration: 4}
	if got != want {
		t.Fatalf("got %+v want %+v", got, want)
	}
}
