package cache

import (
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
	"seven.dev/scheduler/internal/placement"
)

func node(name string) *core.Node {
	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: name}}
	n.Status.Allocatable = core.ResourceList{core.ResourceCPU: resource.MustParse("1"), core.ResourcePods: resource.MustParse("10")}
	return n
}

func pod(name, nodeName, cpu string) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns"}}
	p.Spec.NodeName = nodeName
	p.Spec.Containers = []core.Container{{Name: "c", Resources: core.ResourceRequirements{Requests: core.ResourceList{core.ResourceCPU: resource.MustParse(cpu)}}}}
	return p
}

func requested(t *testing.T, c *Cache, nodeName string) int64 {
	t.Helper()
	for _, ni := range c.Snapshot().Nodes {
		if ni.Node.Name == nodeName {
			return ni.Requested.MilliCPU
		}
	}
	t.Fatalf("node %s not in snapshot", nodeName)
	return 0
}

func TestAssumeConfirmForget(t *testing.T) {
	c := New()
	c.AddNode(node("a"))
	c.AddNode(node("b"))
	snapBefore := c.Snapshot()

	if err := c.AssumePod(placement.NewPodInfo(pod("p", "a", "300m"))); err != nil {
		t.Fatal(err)
	}
	if err := c.AssumePod(placement.NewPodInfo(pod("p", "a", "300m"))); err == nil {
		t.Fatal("assuming a pod twice should fail")
	}
	if got := requested(t, c, "a"); got != 300 {
		t.Fatalf("assumed pod not counted: %d", got)
	}
	if snapBefore.Nodes[0].Requested.MilliCPU != 0 {
		t.Fatal("an older snapshot changed")
	}
	// The informer confirms the binding: counted once, no longer assumed.
	c.AddPod(pod("p", "a", "300m"))
	if c.IsAssumed("ns/p") || requested(t, c, "a") != 300 {
		t.Fatalf("confirm: assumed=%v requested=%d", c.IsAssumed("ns/p"), requested(t, c, "a"))
	}
	c.ForgetPod("ns/p") // a confirmed pod is not forgotten
	if requested(t, c, "a") != 300 {
		t.Fatal("ForgetPod dropped a confirmed pod")
	}

	// A failed binding: the assumption goes.
	if err := c.AssumePod(placement.NewPodInfo(pod("q", "b", "500m"))); err != nil {
		t.Fatal(err)
	}
	c.ForgetPod("ns/q")
	if requested(t, c, "b") != 0 || c.Knows("ns/q") {
		t.Fatal("forgotten pod still counted")
	}
	c.RemovePod("ns/p")
	if requested(t, c, "a") != 0 {
		t.Fatal("removed pod still counted")
	}
}

func TestPodsBeforeNodeAndNodeRemoval(t *testing.T) {
	c := New()
	c.AddPod(pod("p", "late", "200m"))
	if n, _, _ := c.Counts(); n != 0 {
		t.Fatalf("a node known only from its pods is offered: %d nodes", n)
	}
	c.AddNode(node("late"))
	if requested(t, c, "late") != 200 {
		t.Fatal("pods seen before their node are not counted")
	}
	c.AddNode(node("other"))
	c.RemoveNode("late")
	if n, pods, _ := c.Counts(); n != 1 || pods != 1 {
		t.Fatalf("after removal: %d nodes %d pods", n, pods)
	}
	c.AddNode(node("late"))
	if requested(t, c, "late") != 200 {
		t.Fatal("a node that came back lost its pods")
	}
	c.RemovePod("ns/p")
	c.RemoveNode("late")
	if n, pods, _ := c.Counts(); n != 1 || pods != 0 || len(c.infos) != 1 {
		t.Fatalf("after cleanup: %d nodes %d pods %d infos", n, pods, len(c.infos))
	}
}
