package nodelifecycle

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/informer"
	"seven.dev/api/meta"
)

var now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

const grace, timeout = 40 * time.Second, 5 * time.Minute

// fakeAPI records the writes a sync makes.
type fakeAPI struct{ actions []string }

func (f *fakeAPI) UpdateNodeStatus(_ context.Context, n *core.Node) (*core.Node, error) {
	var cs []string
	for _, c := range n.Status.Conditions {
		cs = append(cs, fmt.Sprintf("%s=%s/%s", c.Type, c.Status, c.Reason))
	}
	f.actions = append(f.actions, "status "+n.Name+" "+strings.Join(cs, ","))
	out := *n
	out.ResourceVersion = "8"
	return &out, nil
}

func (f *fakeAPI) SetTaints(_ context.Context, name, rv string, ts []core.Taint) error {
	var s []string
	for _, t := range ts {
		s = append(s, t.Key+":"+string(t.Effect))
	}
	f.actions = append(f.actions, fmt.Sprintf("taints %s rv=%s [%s]", name, rv, strings.Join(s, " ")))
	return nil
}

func (f *fakeAPI) UpdatePodStatus(_ context.Context, p *core.Pod) error {
	f.actions = append(f.actions, fmt.Sprintf("podstatus %s/%s ready=%s", p.Namespace, p.Name, p.Status.Conditions[0].Status))
	return nil
}

func (f *fakeAPI) DeletePod(_ context.Context, ns, name string) error {
	f.actions = append(f.actions, "delete "+ns+"/"+name)
	return nil
}

type nodeOpt func(*core.Node)

func heard(ago time.Duration, st core.ConditionStatus) nodeOpt {
	return func(n *core.Node) {
		hb := meta.NewTime(now.Add(-ago))
		n.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: st, Reason: "KubeletReady", LastHeartbeatTime: hb}}
		pressure := core.ConditionFalse
		if st == core.ConditionUnknown {
			pressure = st
		}
		for _, typ := range []core.NodeConditionType{core.NodeMemoryPressure, core.NodeDiskPressure, core.NodePIDPressure} {
			n.Status.Conditions = append(n.Status.Conditions, core.NodeCondition{Type: typ, Status: pressure, LastHeartbeatTime: hb})
		}
	}
}

func tainted(key string, ago time.Duration) nodeOpt {
	return func(n *core.Node) {
		ts := meta.NewTime(now.Add(-ago))
		n.Spec.Taints = append(n.Spec.Taints, core.Taint{Key: key, Effect: core.TaintEffectNoExecute, TimeAdded: &ts})
	}
}

func node(name string, opts ...nodeOpt) *core.Node {
	n := &core.Node{}
	n.Name, n.ResourceVersion = name, "7"
	n.CreationTimestamp = meta.NewTime(now.Add(-time.Hour))
	for _, o := range opts {
		o(n)
	}
	return n
}

func lease(name string, ago time.Duration) *coordination.Lease {
	l := &coordination.Lease{}
	l.Name, l.Namespace = name, LeaseNamespace
	t := meta.MicroTime{Time: now.Add(-ago)}
	l.Spec.RenewTime = &t
	return l
}

func pod(name, nodeName string, ready core.ConditionStatus, tols ...core.Toleration) *core.Pod {
	p := &core.Pod{}
	p.Name, p.Namespace = name, "default"
	p.Spec.NodeName = nodeName
	p.Spec.Tolerations = tols
	p.Status.Phase = core.PodRunning
	p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: ready}}
	return p
}

func tolerate(secs *int64) core.Toleration {
	return core.Toleration{Key: core.TaintNodeUnreachable, Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute, TolerationSeconds: secs}
}

func ptr[T any](v T) *T { return &v }

func TestSync(t *testing.T) {
	tests := []struct {
		name   string
		nodes  []*core.Node
		leases []*coordination.Lease
		pods   []*core.Pod
		want   []string
	}{
		{
			name:  "healthy node: nothing to do",
			nodes: []*core.Node{node("n1", heard(time.Minute, core.ConditionTrue)), node("n2", heard(time.Second, core.ConditionTrue))},
			// The stale heartbeat is covered by a fresh lease.
			leases: []*coordination.Lease{lease("n1", time.Second)},
			pods:   []*core.Pod{pod("a", "n1", core.ConditionTrue)},
		},
		{
			name:   "silent node goes unknown, is tainted and its pods not ready",
			nodes:  []*core.Node{node("n1", heard(time.Minute, core.ConditionTrue)), node("n2", heard(time.Second, core.ConditionTrue))},
			leases: []*coordination.Lease{lease("n1", time.Minute)},
			pods:   []*core.Pod{pod("a", "n1", core.ConditionTrue), pod("b", "n2", core.ConditionTrue)},
			want: []string{
				"status n1 Ready=Unknown/NodeStatusUnknown,MemoryPressure=Unknown/NodeStatusUnknown,DiskPressure=Unknown/NodeStatusUnknown,PIDPressure=Unknown/NodeStatusUnknown",
				"podstatus default/a ready=False",
				"taints n1 rv=8 [node.kubernetes.io/unreachable:NoExecute]",
			},
		},
		{
			name: "pods are evicted after the timeout or their toleration seconds",
			nodes: []*core.Node{
				node("n1", heard(10*time.Minute, core.ConditionUnknown), tainted(core.TaintNodeUnreachable, 6*time.Minute)),
				node("n2", heard(time.Second, core.ConditionTrue)),
			},
			pods: []*core.Pod{
				pod("plain", "n1", core.ConditionFalse),
				pod("short", "n1", core.ConditionFalse, tolerate(ptr(int64(60)))),
				pod("long", "n1", core.ConditionFalse, tolerate(ptr(int64(3600)))),
				pod("forever", "n1", core.ConditionFalse, tolerate(nil)),
			},
			want: []string{"delete default/plain", "delete default/short"},
		},
		{
			name:  "kubelet reports not ready: not-ready taint",
			nodes: []*core.Node{node("n1", heard(time.Second, core.ConditionFalse)), node("n2", heard(time.Second, core.ConditionTrue))},
			want:  []string{"taints n1 rv=7 [node.kubernetes.io/not-ready:NoExecute]"},
		},
		{
			name: "node back: taint removed, others kept",
			nodes: []*core.Node{node("n1", heard(time.Second, core.ConditionTrue), tainted(core.TaintNodeUnreachable, time.Hour), func(n *core.Node) {
				n.Spec.Taints = append(n.Spec.Taints, core.Taint{Key: "dedicated", Effect: core.TaintEffectNoSchedule})
			})},
			pods: []*core.Pod{pod("a", "n1", core.ConditionTrue)},
			want: []string{"taints n1 rv=7 [dedicated:NoSchedule]"},
		},
		{
			name: "full disruption: marked, untainted, never evicted",
			nodes: []*core.Node{
				node("n1", heard(time.Hour, core.ConditionUnknown), tainted(core.TaintNodeUnreachable, time.Hour)),
				node("n2", heard(time.Minute, core.ConditionTrue)),
			},
			pods: []*core.Pod{pod("a", "n1", core.ConditionTrue)},
			want: []string{"podstatus default/a ready=False", "taints n1 rv=7 []"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := informer.NewIndexer[*core.Node](nil)
			for _, n := range tt.nodes {
				ns.Add(n)
			}
			ls := informer.NewIndexer[*coordination.Lease](nil)
			for _, l := range tt.leases {
				ls.Add(l)
			}
			ps := informer.NewIndexer(map[string]informer.IndexFunc[*core.Pod]{
				informer.NodeNameIndex: informer.IndexByField(func(p *core.Pod) string { return p.Spec.NodeName }),
			})
			for _, p := range tt.pods {
				ps.Add(p)
			}
			f := &fakeAPI{}
			c := New(Config{Nodes: ns, Leases: ls, Pods: ps, API: f, GracePeriod: grace, EvictionTimeout: timeout, Now: func() time.Time { return now }})
			defer c.Runner.Queue.ShutDown()
			if err := c.Sync(context.Background(), "n1"); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.actions, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", f.actions, tt.want)
			}
		})
	}
}

func TestEvictAt(t *testing.T) {
	added := meta.NewTime(now)
	taint := core.Taint{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoExecute, TimeAdded: &added}
	tests := []struct {
		name  string
		tols  []core.Toleration
		after time.Duration
		ok    bool
	}{
		{"no toleration: the eviction timeout", nil, timeout, true},
		{"least toleration seconds", []core.Toleration{tolerate(ptr(int64(30))), tolerate(ptr(int64(10)))}, 10 * time.Second, true},
		{"seconds win over a forever toleration", []core.Toleration{tolerate(nil), tolerate(ptr(int64(30)))}, 30 * time.Second, true},
		{"forever", []core.Toleration{tolerate(nil)}, 0, false},
		{"negative seconds mean now", []core.Toleration{tolerate(ptr(int64(-5)))}, 0, true},
		{"unrelated toleration", []core.Toleration{{Key: "x", Operator: core.TolerationOpExists}}, timeout, true},
	}
	for _, tt := range tests {
		at, ok := EvictAt(pod("p", "n1", core.ConditionTrue, tt.tols...), taint, timeout, now.Add(time.Hour))
		if ok != tt.ok || (ok && at.Sub(now) != tt.after) {
			t.Errorf("%s: got %v %v", tt.name, at.Sub(now), ok)
		}
	}
}

func TestMarkUnknownAddsMissingConditions(t *testing.T) {
	st, changed := MarkUnknown(core.NodeStatus{}, now)
	if !changed || len(st.Conditions) != 4 || st.Conditions[0].Reason != ReasonNodeStatusNeverUpdated {
		t.Fatalf("got %+v", st.Conditions)
	}
	if _, changed := MarkUnknown(st, now); changed {
		t.Fatal("second call must be a no-op")
	}
}

func TestDesiredTaintsKeepsTimeAdded(t *testing.T) {
	n := node("n1", tainted(core.TaintNodeUnreachable, time.Hour))
	got, changed := DesiredTaints(n.Spec.Taints, core.ConditionUnknown, false, now)
	if changed || !got[0].TimeAdded.Equal(now.Add(-time.Hour)) {
		t.Fatalf("got %+v changed=%v", got, changed)
	}
	got, changed = DesiredTaints(n.Spec.Taints, core.ConditionFalse, false, now)
	if !changed || len(got) != 1 || got[0].Key != core.TaintNodeNotReady || !got[0].TimeAdded.Equal(now) {
		t.Fatalf("swap to not-ready: %+v changed=%v", got, changed)
	}
}
