package core

import (
	"slices"
	"strconv"
)

// NodeNameField is the node field a NodeSelectorTerm's matchFields may select on
// (upstream's metav1.ObjectNameField).
const NodeNameField = "metadata.name"

// MatchesNodeSelectorAndAffinity reports whether node satisfies spec's nodeSelector and its
// required node affinity (any one term), as the scheduler and the DaemonSet controller
// decide it.
func MatchesNodeSelectorAndAffinity(spec *PodSpec, node *Node) bool {
	for k, v := range spec.NodeSelector {
		if got, ok := node.Labels[k]; !ok || got != v {
			return false
		}
	}
	a := spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	for i := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if MatchesNodeSelectorTerm(&a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[i], node) {
			return true
		}
	}
	return false
}

// MatchesNodeSelectorTerm ANDs a term's requirements against node's labels and name; a term
// with none matches nothing, as upstream.
func MatchesNodeSelectorTerm(t *NodeSelectorTerm, node *Node) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false
	}
	for _, r := range t.MatchExpressions {
		v, ok := node.Labels[r.Key]
		if !matchesRequirement(r, v, ok) {
			return false
		}
	}
	for _, r := range t.MatchFields {
		if r.Key != NodeNameField || !matchesRequirement(r, node.Name, true) {
			return false
		}
	}
	return true
}

// matchesRequirement applies one requirement to a value v (present says whether the label
// exists); Gt and Lt compare integers.
func matchesRequirement(r NodeSelectorRequirement, v string, present bool) bool {
	switch r.Operator {
	case NodeSelectorOpIn:
		return present && slices.Contains(r.Values, v)
	case NodeSelectorOpNotIn:
		return !present || !slices.Contains(r.Values, v)
	case NodeSelectorOpExists:
		return present
	case NodeSelectorOpDoesNotExist:
		return !present
	case NodeSelectorOpGt, NodeSelectorOpLt:
		if !present || len(r.Values) != 1 {
			return false
		}
		have, err1 := strconv.ParseInt(v, 10, 64)
		want, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == NodeSelectorOpGt {
			return have > want
		}
		return have < want
	}
	return false
}
