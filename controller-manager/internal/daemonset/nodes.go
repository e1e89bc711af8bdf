package daemonset

import (
	"slices"

	"seven.dev/api/core"
	"seven.dev/controller-manager/internal/taints"
)

// NodeNameField is the node field daemon pods select on (upstream's metav1.ObjectNameField).
const NodeNameField = core.NodeNameField

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
	if !core.MatchesNodeSelectorAndAffinity(spec, node) {
		return false, false
	}
	tols := WithDefaultTolerations(spec.Tolerations, spec.HostNetwork)
	keep = taints.ToleratesAll(tols, node.Spec.Taints, core.TaintEffectNoExecute)
	run = keep && taints.ToleratesAll(tols, node.Spec.Taints, core.TaintEffectNoSchedule)
	return run, keep
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
