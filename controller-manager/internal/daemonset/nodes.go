package daemonset

import (
	"slices"
	"strconv"

	"seven.dev/api/core"
	"seven.dev/api/labels"
	"seven.dev/controller-manager/internal/taints"
)

// NodeNameField is the node field daemon pods select on (upstream's metav1.ObjectNameField).
const NodeNameField = "metadata.name"

// DefaultTolerations are the tolerations upstream adds to every daemon pod
// (AddOrUpdateDaemonPodTolerations), so that daemons keep running on nodes that are not
// ready, unreachable, under pressure or cordoned.
func DefaultTolerations(hostNetwork bool) []core.Toleration {
	exists := func(key string, e core.TaintEffect) core.Toleration {
		return core.Toleration{Key: key, Operator: core.TolerationOpExists, Effect: e}
	}
	out := []core.Toleration{
		exists(core.TaintNodeNotReady, core.TaintEffectNoExecute),
		exists(core.TaintNodeUnreachable, core.TaintEffectNoExecute),
		exists(core.TaintNodeDiskPressure, core.TaintEffectNoSchedule),
		exists(core.TaintNodeMemoryPressure, core.TaintEffectNoSchedule),
		exists(core.TaintNodePIDPressure, core.TaintEffectNoSchedule),
		exists(core.TaintNodeUnschedulable, core.TaintEffectNoSchedule),
	}
	if hostNetwork {
		out = append(out, exists(core.TaintNodeNetworkUnavailable, core.TaintEffectNoSchedule))
	}
	return out
}

// WithDefaultTolerations returns tols plus each default toleration it lacks.
func WithDefaultTolerations(tols []core.Toleration, hostNetwork bool) []core.Toleration {
	out := slices.Clone(tols)
	for _, d := range DefaultTolerations(hostNetwork) {
		if !slices.ContainsFunc(out, func(t core.Toleration) bool { return t.Key == d.Key && t.Effect == d.Effect }) {
			out = append(out, d)
		}
	}
	return out
}

// ShouldRun reports whether a daemon pod of spec should be started on node (run) and
// whether one already there may stay (keep): both need the node selector and required
// node affinity to match; run needs every NoSchedule and NoExecute taint tolerated, keep
// only the NoExecute ones, as upstream's NodeShouldRunDaemonPod.
func ShouldRun(spec *core.PodSpec, node *core.Node) (run, keep bool) {
	if !labels.SelectorFromSet(spec.NodeSelector).Matches(node.Labels) || !matchesAffinity(spec.Affinity, node) {
		return false, false
	}
	tols := WithDefaultTolerations(spec.Tolerations, spec.HostNetwork)
	keep = taints.ToleratesAll(tols, node.Spec.Taints, core.TaintEffectNoExecute)
	run = keep && taints.ToleratesAll(tols, node.Spec.Taints, core.TaintEffectNoSchedule)
	return run, keep
}

func matchesAffinity(a *core.Affinity, node *core.Node) bool {
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if matchesTerm(t, node) {
			return true
		}
	}
	return false
}

// matchesTerm reports whether every requirement of t holds; an empty term matches nothing,
// as upstream.
func matchesTerm(t core.NodeSelectorTerm, node *core.Node) bool {
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

func matchesRequirement(r core.NodeSelectorRequirement, v string, present bool) bool {
	switch r.Operator {
	case core.NodeSelectorOpIn:
		return present && slices.Contains(r.Values, v)
	case core.NodeSelectorOpNotIn:
		return !present || !slices.Contains(r.Values, v)
	case core.NodeSelectorOpExists:
		return present
	case core.NodeSelectorOpDoesNotExist:
		return !present
	case core.NodeSelectorOpGt, core.NodeSelectorOpLt:
		if !present || len(r.Values) != 1 {
			return false
		}
		have, err1 := strconv.ParseInt(v, 10, 64)
		want, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == core.NodeSelectorOpGt {
			return have > want
		}
		return have < want
	}
	return false
}

// PinToNode returns a copy of affinity whose required node affinity is the single term
// metadata.name In [node], upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the
// scheduler, not this controller, binds the pod.
func PinToNode(a *core.Affinity, node string) *core.Affinity {
	term := core.NodeSelectorTerm{MatchFields: []core.NodeSelectorRequirement{{Key: NodeNameField, Operator: core.NodeSelectorOpIn, Values: []string{node}}}}
	out := &core.Affinity{}
	if a != nil {
		*out = *a
	}
	na := &core.NodeAffinity{}
	if out.NodeAffinity != nil {
		*na = *out.NodeAffinity
	}
	na.RequiredDuringSchedulingIgnoredDuringExecution = &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{term}}
	out.NodeAffinity = na
	return out
}

// TargetNode is the node a daemon pod is on or is pinned to (upstream's GetTargetNodeName).
func TargetNode(p *core.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, r := range t.MatchFields {
			if r.Key == NodeNameField && r.Operator == core.NodeSelectorOpIn && len(r.Values) == 1 {
				return r.Values[0]
			}
		}
	}
	return ""
}
