package placement

import (
	"math/rand"
	"reflect"
	"testing"

	"seven.dev/api/core"
)

// TestFilters runs one pod against one node per case and checks the plugin's verdict and reasons.
func TestFilters(t *testing.T) {
	notReady := func(n *core.Node) { n.Status.Conditions[0].Status = core.ConditionFalse }
	cordoned := func(n *core.Node) { n.Spec.Unschedulable = true }
	tolerateAll := func(p *core.Pod) { p.Spec.Tolerations = []core.Toleration{{Operator: core.TolerationOpExists}} }
	tolerate := func(key, value string, effect core.TaintEffect) podOpt {
		return func(p *core.Pod) {
			p.Spec.Tolerations = append(p.Spec.Tolerations, core.Toleration{Key: key, Operator: core.TolerationOpEqual, Value: value, Effect: effect})
		}
	}
	nodeSelector := func(kv ...string) podOpt { return func(p *core.Pod) { p.Spec.NodeSelector = kvMap(kv...) } }
	requiredNodeAffinity := func(key string, op core.NodeSelectorOperator, values ...string) podOpt {
		return func(p *core.Pod) {
			p.Spec.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{
				NodeSelectorTerms: []core.NodeSelectorTerm{{MatchExpressions: []core.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}},
			}}}
		}
	}
	withInit := func(cpu string) podOpt {
		return func(p *core.Pod) {
			p.Spec.InitContainers = append(p.Spec.InitContainers, core.Container{Name: "init", Resources: core.ResourceRequirements{
				Requests: core.ResourceList{core.ResourceCPU: mustQ(cpu)}}})
		}
	}
	n1 := node("n1", "2", "4Gi")

	cases := []struct {
		name     string
		pod      *core.Pod
		node     *core.Node
		existing []*core.Pod
		plugin   string // "" when the node fits
		reasons  []string
	}{
		{name: "ready", pod: pod("p"), node: n1},
		{name: "not ready", pod: pod("p"), node: node("n1", "2", "4Gi", notReady), plugin: NodeReadyName, reasons: []string{ReasonNodeNotReady}},
		{name: "cordoned", pod: pod("p"), node: node("n1", "2", "4Gi", cordoned), plugin: NodeUnschedulableName, reasons: []string{"node(s) were unschedulable"}},
		{name: "cordoned but tolerated", pod: pod("p", tolerate(core.TaintNodeUnschedulable, "", core.TaintEffectNoSchedule)), node: node("n1", "2", "4Gi", cordoned)},
		{name: "node name other", pod: pod("p", onNode("n2")), node: n1, plugin: NodeNameName, reasons: []string{"node(s) didn't match the requested node name"}},
		{name: "node name same", pod: pod("p", onNode("n1")), node: n1},
		{name: "nodeSelector match", pod: pod("p", nodeSelector("zone", "test")), node: node("n1", "2", "4Gi", withLabels("zone", "test"))},
		{name: "nodeSelector mismatch", pod: pod("p", nodeSelector("zone", "test")), node: n1, plugin: NodeAffinityName,
			reasons: []string{"node(s) didn't match Pod's node affinity/selector"}},
		{name: "affinity In", pod: pod("p", requiredNodeAffinity("disk", core.NodeSelectorOpIn, "ssd")), node: node("n1", "2", "4Gi", withLabels("disk", "ssd"))},
		{name: "affinity NotIn", pod: pod("p", requiredNodeAffinity("disk", core.NodeSelectorOpNotIn, "ssd")), node: node("n1", "2", "4Gi", withLabels("disk", "ssd")),
			plugin: NodeAffinityName, reasons: []string{ReasonNodeAffinity}},
		{name: "affinity Gt", pod: pod("p", requiredNodeAffinity("gen", core.NodeSelectorOpGt, "3")), node: node("n1", "2", "4Gi", withLabels("gen", "4"))},
		{name: "affinity DoesNotExist", pod: pod("p", requiredNodeAffinity("gpu", core.NodeSelectorOpDoesNotExist)), node: node("n1", "2", "4Gi", withLabels("gpu", "1")),
			plugin: NodeAffinityName, reasons: []string{ReasonNodeAffinity}},
		{name: "taint NoSchedule", pod: pod("p"), node: node("n1", "2", "4Gi", withTaint("dedicated", "db", core.TaintEffectNoSchedule)),
			plugin: TaintTolerationName, reasons: []string{"node(s) had untolerated taint {dedicated: db}"}},
		{name: "taint NoExecute", pod: pod("p"), node: node("n1", "2", "4Gi", withTaint(core.TaintNodeNotReady, "", core.TaintEffectNoExecute)),
			plugin: TaintTolerationName, reasons: []string{"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}},
		{name: "taint PreferNoSchedule only scores", pod: pod("p"), node: node("n1", "2", "4Gi", withTaint("a", "b", core.TaintEffectPreferNoSchedule))},
		{name: "taint tolerated by value", pod: pod("p", tolerate("dedicated", "db", core.TaintEffectNoSchedule)), node: node("n1", "2", "4Gi", withTaint("dedicated", "db", core.TaintEffectNoSchedule))},
		{name: "taint wrong value", pod: pod("p", tolerate("dedicated", "web", "")), node: node("n1", "2", "4Gi", withTaint("dedicated", "db", core.TaintEffectNoSchedule)),
			plugin: TaintTolerationName, reasons: []string{"node(s) had untolerated taint {dedicated: db}"}},
		{name: "taint tolerate all", pod: pod("p", tolerateAll), node: node("n1", "2", "4Gi", withTaint("x", "y", core.TaintEffectNoExecute))},
		{name: "host port free", pod: pod("p", hostPort(8080)), node: n1, existing: []*core.Pod{pod("q", onNode("n1"), hostPort(9090))}},
		{name: "host port taken", pod: pod("p", hostPort(8080)), node: n1, existing: []*core.Pod{pod("q", onNode("n1"), hostPort(8080))},
			plugin: NodePortsName, reasons: []string{"node(s) didn't have free ports for the requested pod ports"}},
		{name: "fits", pod: pod("p", requests("cpu", "1", "memory", "1Gi")), node: n1, existing: []*core.Pod{pod("q", onNode("n1"), requests("cpu", "1"))}},
		{name: "insufficient cpu", pod: pod("p", requests("cpu", "1500m")), node: n1, existing: []*core.Pod{pod("q", onNode("n1"), requests("cpu", "1"))},
			plugin: NodeResourcesFitName, reasons: []string{"Insufficient cpu"}},
		{name: "insufficient cpu and memory", pod: pod("p", requests("cpu", "3", "memory", "5Gi")), node: n1,
			plugin: NodeResourcesFitName, reasons: []string{"Insufficient cpu", "Insufficient memory"}},
		{name: "insufficient ephemeral-storage", pod: pod("p", requests("ephemeral-storage", "20Gi")), node: n1,
			plugin: NodeResourcesFitName, reasons: []string{"Insufficient ephemeral-storage"}},
		{name: "insufficient extended", pod: pod("p", requests("example.com/gpu", "1")), node: n1,
			plugin: NodeResourcesFitName, reasons: []string{"Insufficient example.com/gpu"}},
		{name: "extended fits", pod: pod("p", requests("example.com/gpu", "1")), node: node("n1", "2", "4Gi", withAllocatable("example.com/gpu", "2"))},
		{name: "too many pods", pod: pod("p"), node: node("n1", "2", "4Gi", withAllocatable(core.ResourcePods, "1")), existing: []*core.Pod{pod("q", onNode("n1"))},
			plugin: NodeResourcesFitName, reasons: []string{"Too many pods"}},
		{name: "init container max rule fits", pod: pod("p", requests("cpu", "1"), withInit("2")), node: n1},
		{name: "init container max rule", pod: pod("p", requests("cpu", "1"), withInit("2500m")), node: n1,
			plugin: NodeResourcesFitName, reasons: []string{"Insufficient cpu"}},
		{name: "anti-affinity hit", pod: pod("p", podLabels("app", "web"), antiAffinity(core.LabelHostname, "app", "web")), node: n1,
			existing: []*core.Pod{pod("q", onNode("n1"), podLabels("app", "web"))},
			plugin:   InterPodAffinityName, reasons: []string{"node(s) didn't match pod anti-affinity rules"}},
		{name: "anti-affinity other app", pod: pod("p", podLabels("app", "web"), antiAffinity(core.LabelHostname, "app", "web")), node: n1,
			existing: []*core.Pod{pod("q", onNode("n1"), podLabels("app", "db"))}},
		{name: "existing anti-affinity", pod: pod("p", podLabels("app", "web")), node: n1,
			existing: []*core.Pod{pod("q", onNode("n1"), podLabels("app", "db"), antiAffinity(core.LabelHostname, "app", "web"))},
			plugin:   InterPodAffinityName, reasons: []string{"node(s) didn't satisfy existing pods anti-affinity rules"}},
		{name: "affinity satisfied", pod: pod("p", affinity(core.LabelHostname, "app", "db")), node: n1,
			existing: []*core.Pod{pod("q", onNode("n1"), podLabels("app", "db"))}},
		{name: "affinity first of group", pod: pod("p", podLabels("app", "db"), affinity(core.LabelHostname, "app", "db")), node: n1},
		{name: "affinity unsatisfied", pod: pod("p", affinity(core.LabelTopologyZone, "app", "db")), node: n1,
			plugin: InterPodAffinityName, reasons: []string{"node(s) didn't match pod affinity rules"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := snapshot([]*core.Node{tc.node}, tc.existing...)
			res := DefaultProfile().Schedule(Input{Pod: NewPodInfo(tc.pod), Snapshot: snap}, rand.New(rand.NewSource(1)))
			if tc.plugin == "" {
				if res.Node != tc.node.Name {
					t.Fatalf("want placement on %s, got %q (%v)", tc.node.Name, res.Node, res.Err)
				}
				return
			}
			fe, ok := res.Err.(*FitError)
			if !ok {
				t.Fatalf("want a FitError, got node %q err %v", res.Node, res.Err)
			}
			st := fe.NodeToStatus[tc.node.Name]
			if st == nil || st.Plugin != tc.plugin || !reflect.DeepEqual(st.Reasons, tc.reasons) {
				t.Fatalf("want %s %q, got %+v", tc.plugin, tc.reasons, st)
			}
		})
	}
}

func TestFitErrorMessage(t *testing.T) {
	nodes := []*core.Node{
		node("n1", "1", "4Gi", withLabels("zone", "test")),
		node("n2", "8", "4Gi"),
		node("n3", "8", "4Gi"),
	}
	p := pod("p", requests("cpu", "2"), func(p *core.Pod) { p.Spec.NodeSelector = map[string]string{"zone": "test"} })
	res := DefaultProfile().Schedule(Input{Pod: NewPodInfo(p), Snapshot: snapshot(nodes)}, rand.New(rand.NewSource(1)))
	want := "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."
	if res.Err == nil || res.Err.Error() != want {
		t.Fatalf("got %v\nwant %s", res.Err, want)
	}

	// Several reasons on one node each count; histogram entries sort as strings.
	p = pod("p", requests("cpu", "100", "memory", "100Gi"))
	res = DefaultProfile().Schedule(Input{Pod: NewPodInfo(p), Snapshot: snapshot(nodes)}, rand.New(rand.NewSource(1)))
	want = "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory."
	if res.Err == nil || res.Err.Error() != want {
		t.Fatalf("got %v\nwant %s", res.Err, want)
	}

	res = DefaultProfile().Schedule(Input{Pod: NewPodInfo(p), Snapshot: &Snapshot{}}, rand.New(rand.NewSource(1)))
	if res.Err != ErrNoNodesAvailable || res.Err.Error() != "no nodes available to schedule pods" {
		t.Fatalf("no nodes: got %v", res.Err)
	}
}

func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct{ pct, all, want int }{
		{0, 50, 50}, {0, 100, 100}, {0, 1000, 420}, {0, 5000, 500}, {0, 6000, 300}, {0, 10000, 500},
		{100, 5000, 5000}, {10, 500, 100}, {50, 1000, 500},
	} {
		if got := numFeasibleNodesToFind(tc.pct, tc.all); got != tc.want {
			t.Errorf("numFeasibleNodesToFind(%d, %d) = %d, want %d", tc.pct, tc.all, got, tc.want)
		}
	}
}
