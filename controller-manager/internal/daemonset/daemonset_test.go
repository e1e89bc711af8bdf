package daemonset

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

var now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// fakeAPI records pod and status writes.
type fakeAPI struct {
	actions []string
	created []*core.Pod
}

func (f *fakeAPI) Create(_ context.Context, ns string, p *core.Pod) (*core.Pod, error) {
	f.actions = append(f.actions, fmt.Sprintf("create %s/%s* node=%s hash=%v", ns, p.GenerateName, TargetNode(p), p.Labels[apps.ControllerRevisionHashLabelKey] != ""))
	f.created = append(f.created, p)
	return p, nil
}

func (f *fakeAPI) Delete(_ context.Context, ns, name string) error {
	f.actions = append(f.actions, "delete "+ns+"/"+name)
	return nil
}

func (f *fakeAPI) Patch(_ context.Context, ns, name string, _ []byte) error {
	f.actions = append(f.actions, "patch "+ns+"/"+name)
	return nil
}

func (f *fakeAPI) UpdateStatus(_ context.Context, ds *apps.DaemonSet) error {
	s := ds.Status
	f.actions = append(f.actions, fmt.Sprintf("status desired=%d current=%d ready=%d updated=%d available=%d unavailable=%d misscheduled=%d gen=%d",
		s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.UpdatedNumberScheduled, s.NumberAvailable, s.NumberUnavailable, s.NumberMisscheduled, s.ObservedGeneration))
	return nil
}

func daemonSet(strategy apps.DaemonSetUpdateStrategyType) *apps.DaemonSet {
	ds := &apps.DaemonSet{}
	ds.Name, ds.Namespace, ds.UID, ds.Generation = "agent", "kube-system", "uid-agent", 3
	ds.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}
	ds.Spec.Template.Labels = map[string]string{"app": "agent"}
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "worker"}
	ds.Spec.Template.Spec.Containers = []core.Container{{Name: "c", Image: "agent:v1"}}
	one := intstr.FromInt32(1)
	ds.Spec.UpdateStrategy = apps.DaemonSetUpdateStrategy{Type: strategy, RollingUpdate: &apps.RollingUpdateDaemonSet{MaxUnavailable: &one}}
	return ds
}

func node(name string, lbls map[string]string, taints ...core.Taint) *core.Node {
	n := &core.Node{}
	n.Name, n.Labels = name, lbls
	n.Spec.Taints = taints
	return n
}

var worker = map[string]string{"role": "worker"}

func pod(ds *apps.DaemonSet, name, nodeName, hash string, ready bool) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace, p.UID = name, ds.Namespace, "uid-"+name
	p.Labels = map[string]string{"app": "agent", apps.ControllerRevisionHashLabelKey: hash}
	t := true
	p.OwnerReferences = []meta.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &t}}
	p.Spec.NodeName = nodeName
	p.Status.Phase = core.PodRunning
	if ready {
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue, LastTransitionTime: meta.NewTime(now.Add(-time.Hour))}}
	}
	return p
}

func TestSync(t *testing.T) {
	ds := daemonSet(apps.RollingUpdateDaemonSetStrategyType)
	hash := Hash(ds)
	noSchedule := core.Taint{Key: "dedicated", Effect: core.TaintEffectNoSchedule}
	tests := []struct {
		name  string
		ds    *apps.DaemonSet
		nodes []*core.Node
		pods  []*core.Pod
		want  []string
	}{
		{
			name: "one pod per eligible node",
			ds:   ds,
			nodes: []*core.Node{
				node("a", worker), node("b", nil), node("c", worker, noSchedule),
				node("d", worker, core.Taint{Key: core.TaintNodeUnschedulable, Effect: core.TaintEffectNoSchedule}),
			},
			want: []string{
				"create kube-system/agent-* node=a hash=true", "create kube-system/agent-* node=d hash=true",
				"status desired=2 current=0 ready=0 updated=0 available=0 unavailable=2 misscheduled=0 gen=3",
			},
		},
		{
			name:  "pods on nodes that stopped fitting are deleted; NoSchedule taints let them stay",
			ds:    ds,
			nodes: []*core.Node{node("a", worker), node("b", nil), node("c", worker, noSchedule)},
			pods:  []*core.Pod{pod(ds, "on-a", "a", hash, true), pod(ds, "on-b", "b", hash, true), pod(ds, "on-c", "c", hash, true), pod(ds, "on-gone", "gone", hash, true)},
			want: []string{
				"delete kube-system/on-b", "delete kube-system/on-gone",
				"status desired=1 current=1 ready=1 updated=1 available=1 unavailable=0 misscheduled=2 gen=3",
			},
		},
		{
			name:  "rolling update replaces one available old pod at a time",
			ds:    ds,
			nodes: []*core.Node{node("a", worker), node("b", worker), node("c", worker)},
			pods:  []*core.Pod{pod(ds, "on-a", "a", "old", true), pod(ds, "on-b", "b", "old", true), pod(ds, "on-c", "c", "old", true)},
			want: []string{
				"delete kube-system/on-a",
				"status desired=3 current=3 ready=3 updated=0 available=3 unavailable=0 misscheduled=0 gen=3",
			},
		},
		{
			name:  "rolling update waits while an updated pod is not available, but replaces unavailable old pods",
			ds:    ds,
			nodes: []*core.Node{node("a", worker), node("b", worker), node("c", worker)},
			pods:  []*core.Pod{pod(ds, "on-a", "a", hash, false), pod(ds, "on-b", "b", "old", true), pod(ds, "on-c", "c", "old", false)},
			want: []string{
				"delete kube-system/on-c",
				"status desired=3 current=3 ready=1 updated=1 available=1 unavailable=2 misscheduled=0 gen=3",
			},
		},
		{
			name:  "OnDelete leaves old pods alone",
			ds:    daemonSet(apps.OnDeleteDaemonSetStrategyType),
			nodes: []*core.Node{node("a", worker)},
			pods:  []*core.Pod{pod(ds, "on-a", "a", "old", true)},
			want:  []string{"status desired=1 current=1 ready=1 updated=0 available=1 unavailable=0 misscheduled=0 gen=3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dss := informer.NewIndexer[*apps.DaemonSet](nil)
			dss.Add(tt.ds)
			ns := informer.NewIndexer[*core.Node](nil)
			for _, n := range tt.nodes {
				ns.Add(n)
			}
			ps := informer.NewIndexer[*core.Pod](nil)
			for _, p := range tt.pods {
				ps.Add(p)
			}
			f := &fakeAPI{}
			c := New(Config{DaemonSets: dss, Nodes: ns, Pods: ps, PodAPI: f, Status: f, Now: func() time.Time { return now }})
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "kube-system/agent"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", f.actions, tt.want)
			}
		})
	}
}

func TestNewPod(t *testing.T) {
	ds := daemonSet(apps.RollingUpdateDaemonSetStrategyType)
	ds.Spec.Template.Spec.Tolerations = []core.Toleration{{Key: core.TaintNodeUnreachable, Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute, TolerationSeconds: new(int64(5))}}
	p := NewPod(ds, "h1", "node-7")
	b, _ := json.Marshal(p.Spec.Affinity)
	if string(b) != `{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["node-7"]}]}]}}}` {
		t.Fatalf("affinity %s", b)
	}
	if p.Spec.NodeName != "" || p.Labels[apps.ControllerRevisionHashLabelKey] != "h1" || p.Labels[TemplateGenerationLabel] != "3" || p.Labels["app"] != "agent" {
		t.Fatalf("pod %+v", p.ObjectMeta)
	}
	// The user's unreachable toleration wins over the default one; the other five are added.
	if len(p.Spec.Tolerations) != 6 || p.Spec.Tolerations[0].TolerationSeconds == nil {
		t.Fatalf("tolerations %+v", p.Spec.Tolerations)
	}
	if len(ds.Spec.Template.Spec.Tolerations) != 1 || ds.Spec.Template.Spec.Affinity != nil {
		t.Fatal("the template was modified")
	}
}

func TestShouldRun(t *testing.T) {
	spec := func(mod func(*core.PodSpec)) *core.PodSpec {
		s := &core.PodSpec{}
		mod(s)
		return s
	}
	affinity := func(reqs ...core.NodeSelectorRequirement) func(*core.PodSpec) {
		return func(s *core.PodSpec) {
			s.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{
				NodeSelectorTerms: []core.NodeSelectorTerm{{MatchExpressions: reqs}}}}}
		}
	}
	n := node("n1", map[string]string{"zone": "a", "cpus": "8"}, core.Taint{Key: "gpu", Effect: core.TaintEffectNoExecute})
	tolerateGPU := func(s *core.PodSpec) {
		s.Tolerations = []core.Toleration{{Key: "gpu", Operator: core.TolerationOpExists}}
	}
	tests := []struct {
		name      string
		spec      *core.PodSpec
		run, keep bool
	}{
		{"untolerated NoExecute", spec(func(*core.PodSpec) {}), false, false},
		{"tolerated", spec(tolerateGPU), true, true},
		{"affinity In", spec(func(s *core.PodSpec) {
			tolerateGPU(s)
			affinity(core.NodeSelectorRequirement{Key: "zone", Operator: core.NodeSelectorOpIn, Values: []string{"a"}})(s)
		}), true, true},
		{"affinity NotIn", spec(func(s *core.PodSpec) {
			tolerateGPU(s)
			affinity(core.NodeSelectorRequirement{Key: "zone", Operator: core.NodeSelectorOpNotIn, Values: []string{"a"}})(s)
		}), false, false},
		{"affinity Gt", spec(func(s *core.PodSpec) {
			tolerateGPU(s)
			affinity(core.NodeSelectorRequirement{Key: "cpus", Operator: core.NodeSelectorOpGt, Values: []string{"4"}})(s)
		}), true, true},
	}
	for _, tt := range tests {
		run, keep := ShouldRun(tt.spec, n)
		if run != tt.run || keep != tt.keep {
			t.Errorf("%s: got run=%v keep=%v", tt.name, run, keep)
		}
	}
}

func TestMaxUnavailablePercentRoundsUp(t *testing.T) {
	ds := daemonSet(apps.RollingUpdateDaemonSetStrategyType)
	p := intstr.FromString("10%")
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = &p
	if n, err := MaxUnavailable(ds, 15); err != nil || n != 2 {
		t.Fatalf("got %d %v", n, err)
	}
}
