package placement

import (
	"fmt"
	"math/rand"
	"testing"

	"seven.dev/api/core"
)

// BenchmarkSchedule5000Nodes is one decision of the benchmark's shape (5,000 nodes of 4 cpu,
// two pods on each, a 100m/500Mi pod), without the API server: the core's share of the cost.
func BenchmarkSchedule5000Nodes(b *testing.B) {
	var nodes []*core.Node
	var pods []*core.Pod
	for i := 0; i < 5000; i++ {
		name := fmt.Sprintf("hollow-%05d", i)
		nodes = append(nodes, node(name, "4", "16Gi", withLabels(core.LabelTopologyZone, fmt.Sprintf("zone-%d", i%3))))
		for j := 0; j < 2; j++ {
			pods = append(pods, pod(fmt.Sprintf("p-%d-%d", i, j), onNode(name), requests("cpu", "100m", "memory", "500Mi")))
		}
	}
	snap := snapshot(nodes, pods...)
	pi := NewPodInfo(pod("new", requests("cpu", "100m", "memory", "500Mi")))
	rng := rand.New(rand.NewSource(1))
	p := DefaultProfile()
	start := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := p.Schedule(Input{Pod: pi, Snapshot: snap, StartIndex: start}, rng)
		if res.Node == "" {
			b.Fatal(res.Err)
		}
		start = res.NextStartIndex
	}
}
