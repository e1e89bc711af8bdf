package placement

import (
	"math"

	"seven.dev/api/core"
)

// defaultNormalize is upstream's helper.DefaultNormalizeScore: scale so the highest score is
// MaxNodeScore, reversed when lower raw scores are better.
func defaultNormalize(scores []int64, reverse bool) {
	_, hi := minMax(scores)
	for i := range scores {
		switch {
		case hi == 0 && reverse:
			scores[i] = MaxNodeScore
		case hi == 0:
			scores[i] = 0
		default:
			scores[i] = scores[i] * MaxNodeScore / hi
			if reverse {
				scores[i] = MaxNodeScore - scores[i]
			}
		}
	}
}

// taintTolerationScore prefers nodes with fewer PreferNoSchedule taints the pod does not tolerate.
type taintTolerationScore struct{}

func (taintTolerationScore) Name() string { return TaintTolerationName }

func (taintTolerationScore) PreScore(*CycleState, []*NodeInfo) bool { return true }

func (taintTolerationScore) Score(s *CycleState, n *NodeInfo) int64 {
	var count int64
	for i := range n.Node.Spec.Taints {
		t := &n.Node.Spec.Taints[i]
		if t.Effect != core.TaintEffectPreferNoSchedule {
			continue
		}
		var tols []core.Toleration
		for _, tol := range s.Pod.Pod.Spec.Tolerations {
			if tol.Effect == "" || tol.Effect == core.TaintEffectPreferNoSchedule {
				tols = append(tols, tol)
			}
		}
		if !tolerates(tols, t) {
			count++
		}
	}
	return count
}

func (taintTolerationScore) Normalize(_ *CycleState, _ []*NodeInfo, scores []int64) {
	defaultNormalize(scores, true)
}

// nodeAffinityScore sums the weights of the preferred node affinity terms a node matches.
type nodeAffinityScore struct{}

func (nodeAffinityScore) Name() string { return NodeAffinityName }

func (nodeAffinityScore) PreScore(s *CycleState, _ []*NodeInfo) bool {
	a := s.Pod.Pod.Spec.Affinity
	return a != nil && a.NodeAffinity != nil && len(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0
}

func (nodeAffinityScore) Score(s *CycleState, n *NodeInfo) int64 {
	var total int64
	for i, t := range s.Pod.Pod.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
		if t.Weight != 0 && core.MatchesNodeSelectorTerm(&s.Pod.Pod.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution[i].Preference, n.Node) {
			total += int64(t.Weight)
		}
	}
	return total
}

func (nodeAffinityScore) Normalize(_ *CycleState, _ []*NodeInfo, scores []int64) {
	defaultNormalize(scores, false)
}

// zoneWeighting is how much the zone counts in SelectorSpread, against the node (upstream: 2/3).
const zoneWeighting = 2.0 / 3.0

// selectorSpread spreads the pods of one service, replication controller or replica set over
// nodes and, when nodes carry zone labels, over zones (upstream's SelectorSpread).
type selectorSpread struct{}

func (selectorSpread) Name() string { return SelectorSpreadName }

func (selectorSpread) PreScore(s *CycleState, _ []*NodeInfo) bool { return len(s.SpreadSelectors) > 0 }

func (selectorSpread) Score(s *CycleState, n *NodeInfo) int64 {
	var count int64
	for _, p := range n.Pods {
		if p.Pod.Namespace != s.Pod.Pod.Namespace || p.Pod.DeletionTimestamp != nil {
			continue
		}
		for _, sel := range s.SpreadSelectors {
			if sel.Matches(p.Pod.Labels) {
				count++
				break
			}
		}
	}
	return count
}

func zoneKey(node *core.Node) string {
	z, r := node.Labels[core.LabelTopologyZone], node.Labels[core.LabelTopologyRegion]
	if z == "" && r == "" {
		return ""
	}
	return r + ":\x00:" + z
}

func (selectorSpread) Normalize(_ *CycleState, nodes []*NodeInfo, scores []int64) {
	var maxNode, maxZone int64
	zones := map[string]int64{}
	for i, n := range nodes {
		maxNode = max(maxNode, scores[i])
		if z := zoneKey(n.Node); z != "" {
			zones[z] += scores[i]
		}
	}
	for _, c := range zones {
		maxZone = max(maxZone, c)
	}
	for i, n := range nodes {
		f := float64(MaxNodeScore)
		if maxNode > 0 {
			f = float64(MaxNodeScore) * float64(maxNode-scores[i]) / float64(maxNode)
		}
		if z := zoneKey(n.Node); len(zones) > 0 && z != "" {
			zs := float64(MaxNodeScore)
			if maxZone > 0 {
				zs = float64(MaxNodeScore) * float64(maxZone-zones[z]) / float64(maxZone)
			}
			f = f*(1-zoneWeighting) + zoneWeighting*zs
		}
		scores[i] = int64(f)
	}
}

// leastAllocated prefers nodes with more of their cpu and memory free after placing the pod
// (upstream's NodeResourcesFit LeastAllocated strategy, cpu and memory weighted 1:1, with
// non-zero default requests).
type leastAllocated struct{}

func (leastAllocated) Name() string { return NodeResourcesFitName }

func (leastAllocated) PreScore(*CycleState, []*NodeInfo) bool { return true }

func (leastAllocated) Score(s *CycleState, n *NodeInfo) int64 {
	cpu := leastScore(n.NonZeroRequested.MilliCPU+s.Pod.NonZero.MilliCPU, n.Allocatable.MilliCPU)
	mem := leastScore(n.NonZeroRequested.Memory+s.Pod.NonZero.Memory, n.Allocatable.Memory)
	return (cpu + mem) / 2
}

func leastScore(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * MaxNodeScore / capacity
}

func (leastAllocated) Normalize(*CycleState, []*NodeInfo, []int64) {}

// balancedAllocation prefers nodes whose cpu and memory would be used in equal proportions
// (upstream's NodeResourcesBalancedAllocation: 1 - standard deviation of the fractions).
type balancedAllocation struct{}

func (balancedAllocation) Name() string { return NodeResourcesBalancedAllocName }

func (balancedAllocation) PreScore(*CycleState, []*NodeInfo) bool { return true }

func (balancedAllocation) Score(s *CycleState, n *NodeInfo) int64 {
	frac := func(req, alloc int64) float64 {
		if alloc == 0 {
			return 0
		}
		return math.Min(1, float64(req)/float64(alloc))
	}
	cpu := frac(n.Requested.MilliCPU+s.Pod.Requests.MilliCPU, n.Allocatable.MilliCPU)
	mem := frac(n.Requested.Memory+s.Pod.Requests.Memory, n.Allocatable.Memory)
	std := math.Abs(cpu-mem) / 2
	return int64((1 - std) * float64(MaxNodeScore))
}

func (balancedAllocation) Normalize(*CycleState, []*NodeInfo, []int64) {}
