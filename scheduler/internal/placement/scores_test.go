package placement

import (
	"math/rand"
	"reflect"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
)

// TestScores checks each score plugin's normalised scores over three nodes.
func TestScores(t *testing.T) {
	preferNode := func(key, value string, weight int32) podOpt {
		return func(p *core.Pod) {
			if p.Spec.Affinity == nil {
				p.Spec.Affinity = &core.Affinity{}
			}
			p.Spec.Affinity.NodeAffinity = &core.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: append([]core.PreferredSchedulingTerm(nil),
				core.PreferredSchedulingTerm{Weight: weight, Preference: core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{
					{Key: key, Operator: core.NodeSelectorOpIn, Values: []string{value}}}}})}
		}
	}
	preferPod := func(anti bool, key string, weight int32, match ...string) podOpt {
		return func(p *core.Pod) {
			if p.Spec.Affinity == nil {
				p.Spec.Affinity = &core.Affinity{}
			}
			terms := []core.WeightedPodAffinityTerm{{Weight: weight, PodAffinityTerm: core.PodAffinityTerm{
				LabelSelector: &meta.LabelSelector{MatchLabels: kvMap(match...)}, TopologyKey: key}}}
			if anti {
				p.Spec.Affinity.PodAntiAffinity = &core.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: terms}
			} else {
				p.Spec.Affinity.PodAffinity = &core.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: terms}
			}
		}
	}
	three := []*core.Node{
		node("a", "4", "8Gi", withLabels(core.LabelTopologyZone, "z1", "disk", "ssd")),
		node("b", "4", "8Gi", withLabels(core.LabelTopologyZone, "z1")),
		node("c", "4", "8Gi", withLabels(core.LabelTopologyZone, "z2")),
	}
	webSel, _ := labels.Parse("app=web")
	cases := []struct {
		name     string
		plugin   string
		nodes    []*core.Node
		pod      *core.Pod
		existing []*core.Pod
		spread   []labels.Selector
		want     []int64
	}{
		{name: "least allocated", plugin: NodeResourcesFitName, nodes: three, pod: pod("p", requests("cpu", "1", "memory", "2Gi")),
			existing: []*core.Pod{pod("x", onNode("a"), requests("cpu", "2", "memory", "4Gi")), pod("y", onNode("b"), requests("cpu", "1", "memory", "2Gi"))},
			want:     []int64{25, 50, 75}},
		{name: "least allocated counts best-effort pods as 100m/200Mi", plugin: NodeResourcesFitName, nodes: three[:1], pod: pod("p"),
			want: []int64{97}}, // cpu (4000-100)/4000 -> 97, memory (8Gi-200Mi)/8Gi -> 97
		{name: "balanced allocation", plugin: NodeResourcesBalancedAllocName, nodes: three, pod: pod("p", requests("cpu", "2", "memory", "4Gi")),
			existing: []*core.Pod{pod("x", onNode("a"), requests("cpu", "2")), pod("y", onNode("b"), requests("memory", "4Gi"))},
			want:     []int64{75, 75, 100}},
		{name: "node affinity preferred", plugin: NodeAffinityName, nodes: three, pod: pod("p", preferNode("disk", "ssd", 5)),
			want: []int64{100, 0, 0}},
		{name: "taint PreferNoSchedule", plugin: TaintTolerationName, pod: pod("p"),
			nodes: []*core.Node{
				node("a", "4", "8Gi", withTaint("x", "1", core.TaintEffectPreferNoSchedule), withTaint("y", "1", core.TaintEffectPreferNoSchedule)),
				node("b", "4", "8Gi", withTaint("x", "1", core.TaintEffectPreferNoSchedule)),
				node("c", "4", "8Gi"),
			},
			want: []int64{0, 50, 100}},
		{name: "taint PreferNoSchedule tolerated", plugin: TaintTolerationName,
			pod: pod("p", func(p *core.Pod) {
				p.Spec.Tolerations = []core.Toleration{{Key: "x", Operator: core.TolerationOpExists}}
			}),
			nodes: []*core.Node{node("a", "4", "8Gi", withTaint("x", "1", core.TaintEffectPreferNoSchedule)), node("b", "4", "8Gi")},
			want:  []int64{100, 100}},
		{name: "selector spread by node and zone", plugin: SelectorSpreadName, nodes: three, pod: pod("p", podLabels("app", "web")),
			existing: []*core.Pod{pod("x", onNode("a"), podLabels("app", "web")), pod("y", onNode("a"), podLabels("app", "web")), pod("z", onNode("c"), podLabels("app", "other"))},
			spread:   []labels.Selector{webSel},
			// node: a=0 b=100 c=100; zone z1 holds 2 of max 2 -> 0, z2 -> 100; 1/3 node + 2/3 zone.
			want: []int64{0, 33, 99}}, // float truncation, as upstream: 100/3 + 200/3 = 99.99
		{name: "selector spread without selectors", plugin: SelectorSpreadName, nodes: three, pod: pod("p"), want: []int64{0, 0, 0}},
		{name: "inter-pod preferred affinity", plugin: InterPodAffinityName, nodes: three, pod: pod("p", preferPod(false, core.LabelTopologyZone, 10, "app", "db")),
			existing: []*core.Pod{pod("x", onNode("c"), podLabels("app", "db"))},
			want:     []int64{0, 0, 100}},
		{name: "inter-pod preferred anti-affinity", plugin: InterPodAffinityName, nodes: three, pod: pod("p", preferPod(true, core.LabelHostname, 10, "app", "db")),
			existing: []*core.Pod{pod("x", onNode("a"), podLabels("app", "db"))},
			want:     []int64{0, 100, 100}},
		{name: "existing pod prefers incoming", plugin: InterPodAffinityName, nodes: three, pod: pod("p", podLabels("app", "web")),
			existing: []*core.Pod{pod("x", onNode("b"), preferPod(false, core.LabelHostname, 7, "app", "web"))},
			want:     []int64{0, 100, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultProfile().ScoreNodes(Input{Pod: NewPodInfo(tc.pod), Snapshot: snapshot(tc.nodes, tc.existing...), SpreadSelectors: tc.spread})
			if !reflect.DeepEqual(got[tc.plugin], tc.want) {
				t.Fatalf("%s scores = %v, want %v (all: %v)", tc.plugin, got[tc.plugin], tc.want, got)
			}
		})
	}
}

// TestScheduleTieBreakIsSeeded checks that equal nodes are chosen by the seeded source: the
// same seed replays the same choice, and different seeds spread over the nodes.
func TestScheduleTieBreakIsSeeded(t *testing.T) {
	var nodes []*core.Node
	for _, n := range []string{"a", "b", "c", "d"} {
		nodes = append(nodes, node(n, "4", "8Gi"))
	}
	snap := snapshot(nodes)
	in := Input{Pod: NewPodInfo(pod("p")), Snapshot: snap}
	seen := map[string]bool{}
	for seed := int64(0); seed < 40; seed++ {
		first := DefaultProfile().Schedule(in, rand.New(rand.NewSource(seed))).Node
		again := DefaultProfile().Schedule(in, rand.New(rand.NewSource(seed))).Node
		if first != again {
			t.Fatalf("seed %d: %s then %s", seed, first, again)
		}
		seen[first] = true
	}
	if len(seen) != 4 {
		t.Fatalf("40 seeds chose only %v", seen)
	}
}

// TestScheduleSpreadsAntiAffinityReplicas places three replicas that repel each other one by
// one, as the scheduler loop does, and checks they land on three nodes.
func TestScheduleSpreadsAntiAffinityReplicas(t *testing.T) {
	nodes := []*core.Node{node("a", "4", "8Gi"), node("b", "4", "8Gi"), node("c", "4", "8Gi")}
	var placed []*core.Pod
	used := map[string]bool{}
	rng := rand.New(rand.NewSource(7))
	for _, name := range []string{"r1", "r2", "r3", "r4"} {
		p := pod(name, podLabels("app", "web"), antiAffinity(core.LabelHostname, "app", "web"))
		res := DefaultProfile().Schedule(Input{Pod: NewPodInfo(p), Snapshot: snapshot(nodes, placed...)}, rng)
		if name == "r4" {
			want := "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
			if res.Err == nil || res.Err.Error() != want {
				t.Fatalf("fourth replica: got node %q err %v, want %s", res.Node, res.Err, want)
			}
			return
		}
		if res.Node == "" || used[res.Node] {
			t.Fatalf("%s placed on %q (used %v): %v", name, res.Node, used, res.Err)
		}
		used[res.Node] = true
		p.Spec.NodeName = res.Node
		placed = append(placed, p)
	}
}

// TestScheduleRotatesStart checks that with many nodes only part are evaluated and the next
// search starts where this one stopped.
func TestScheduleRotatesStart(t *testing.T) {
	var nodes []*core.Node
	for i := 0; i < 1000; i++ {
		nodes = append(nodes, node(string(rune('a'+i%26))+string(rune('a'+i/26)), "4", "8Gi"))
	}
	snap := snapshot(nodes)
	res := DefaultProfile().Schedule(Input{Pod: NewPodInfo(pod("p")), Snapshot: snap, StartIndex: 990}, rand.New(rand.NewSource(1)))
	if res.Evaluated != 420 || res.Feasible != 420 || res.NextStartIndex != (990+420)%1000 {
		t.Fatalf("evaluated %d feasible %d next %d", res.Evaluated, res.Feasible, res.NextStartIndex)
	}
}
