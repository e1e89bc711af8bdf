package placement

import (
	"fmt"
	"sort"

	"seven.dev/api/core"
)

// Upstream's rejection reasons (k8s.io/kubernetes/pkg/scheduler/framework/plugins/...).
const (
	ReasonNodeNotReady             = "node(s) were not ready"
	ReasonNodeUnschedulable        = "node(s) were unschedulable"
	ReasonNodeName                 = "node(s) didn't match the requested node name"
	ReasonNodeAffinity             = "node(s) didn't match Pod's node affinity/selector"
	ReasonNodePorts                = "node(s) didn't have free ports for the requested pod ports"
	ReasonTooManyPods              = "Too many pods"
	ReasonAffinityNotMatch         = "node(s) didn't match pod affinity rules"
	ReasonAntiAffinityNotMatch     = "node(s) didn't match pod anti-affinity rules"
	ReasonExistingAntiAffinity     = "node(s) didn't satisfy existing pods anti-affinity rules"
	reasonInsufficientFormat       = "Insufficient %v"
	reasonUntoleratedTaintFormat   = "node(s) had untolerated taint {%s: %s}"
	NodeReadyName                  = "NodeReady"
	NodeUnschedulableName          = "NodeUnschedulable"
	NodeNameName                   = "NodeName"
	NodeAffinityName               = "NodeAffinity"
	TaintTolerationName            = "TaintToleration"
	NodePortsName                  = "NodePorts"
	NodeResourcesFitName           = "NodeResourcesFit"
	InterPodAffinityName           = "InterPodAffinity"
	NodeResourcesBalancedAllocName = "NodeResourcesBalancedAllocation"
	SelectorSpreadName             = "SelectorSpread"
)

// InsufficientReason is NodeResourcesFit's reason for a resource: "Insufficient cpu".
func InsufficientReason(name core.ResourceName) string {
	return fmt.Sprintf(reasonInsufficientFormat, name)
}

// UntoleratedTaintReason is TaintToleration's reason: "node(s) had untolerated taint {key: value}".
func UntoleratedTaintReason(t core.Taint) string {
	return fmt.Sprintf(reasonUntoleratedTaintFormat, t.Key, t.Value)
}

// nodeReady rejects nodes whose Ready condition is present and not True (the old
// CheckNodeCondition predicate; nodes that report no conditions yet are given the benefit of
// the doubt, as they were upstream).
type nodeReady struct{}

func (nodeReady) Name() string { return NodeReadyName }

func (nodeReady) Filter(_ *CycleState, n *NodeInfo) *Status {
	conds := n.Node.Status.Conditions
	for i := range conds {
		if c := &conds[i]; c.Type == core.NodeReady && c.Status != core.ConditionTrue {
			return unschedulable(NodeReadyName, ReasonNodeNotReady)
		}
	}
	return nil
}

// nodeUnschedulable rejects cordoned nodes unless the pod tolerates the
// node.kubernetes.io/unschedulable:NoSchedule taint.
type nodeUnschedulable struct{}

func (nodeUnschedulable) Name() string { return NodeUnschedulableName }

func (nodeUnschedulable) Filter(s *CycleState, n *NodeInfo) *Status {
	if !n.Node.Spec.Unschedulable {
		return nil
	}
	taint := core.Taint{Key: core.TaintNodeUnschedulable, Effect: core.TaintEffectNoSchedule}
	if tolerates(s.Pod.Pod.Spec.Tolerations, &taint) {
		return nil
	}
	return unresolvable(NodeUnschedulableName, ReasonNodeUnschedulable)
}

// nodeName rejects every node but the one spec.nodeName names, when it names one.
type nodeName struct{}

func (nodeName) Name() string { return NodeNameName }

func (nodeName) Filter(s *CycleState, n *NodeInfo) *Status {
	if want := s.Pod.Pod.Spec.NodeName; want != "" && want != n.Node.Name {
		return unresolvable(NodeNameName, ReasonNodeName)
	}
	return nil
}

// nodeAffinity applies spec.nodeSelector and required node affinity.
type nodeAffinity struct{}

func (nodeAffinity) Name() string { return NodeAffinityName }

func (nodeAffinity) Filter(s *CycleState, n *NodeInfo) *Status {
	if !MatchesNodeSelectorAndAffinity(s.Pod.Pod, n.Node) {
		return unresolvable(NodeAffinityName, ReasonNodeAffinity)
	}
	return nil
}

// MatchesNodeSelectorAndAffinity reports whether node satisfies pod's nodeSelector and its
// required node affinity.
func MatchesNodeSelectorAndAffinity(pod *core.Pod, node *core.Node) bool {
	return core.MatchesNodeSelectorAndAffinity(&pod.Spec, node)
}

// taintToleration rejects nodes with a NoSchedule or NoExecute taint the pod does not tolerate.
type taintToleration struct{}

func (taintToleration) Name() string { return TaintTolerationName }

func (taintToleration) Filter(s *CycleState, n *NodeInfo) *Status {
	for i := range n.Node.Spec.Taints {
		t := &n.Node.Spec.Taints[i]
		if t.Effect != core.TaintEffectNoSchedule && t.Effect != core.TaintEffectNoExecute {
			continue
		}
		if !tolerates(s.Pod.Pod.Spec.Tolerations, t) {
			return unresolvable(TaintTolerationName, UntoleratedTaintReason(*t))
		}
	}
	return nil
}

// tolerates reports whether any toleration matches the taint (upstream's ToleratesTaint).
func tolerates(tols []core.Toleration, t *core.Taint) bool {
	for i := range tols {
		tol := &tols[i]
		if tol.Effect != "" && tol.Effect != t.Effect {
			continue
		}
		if tol.Key != "" && tol.Key != t.Key {
			continue
		}
		switch tol.Operator {
		case core.TolerationOpExists:
			return true
		case core.TolerationOpEqual, "":
			if tol.Key == "" {
				continue // an empty key is only valid with Exists
			}
			if tol.Value == t.Value {
				return true
			}
		}
	}
	return false
}

// nodePorts rejects nodes where a host port the pod wants is taken.
type nodePorts struct{}

func (nodePorts) Name() string { return NodePortsName }

func (nodePorts) Filter(s *CycleState, n *NodeInfo) *Status {
	for _, want := range s.Pod.Ports {
		for _, used := range n.UsedPorts {
			if want.conflicts(used) {
				return unschedulable(NodePortsName, ReasonNodePorts)
			}
		}
	}
	return nil
}

// nodeResourcesFit rejects nodes whose allocatable, less what their pods request, cannot hold
// the pod's requests. Every short resource is a reason of its own, as upstream.
type nodeResourcesFit struct{}

func (nodeResourcesFit) Name() string { return NodeResourcesFitName }

func (nodeResourcesFit) Filter(s *CycleState, n *NodeInfo) *Status {
	var reasons []string
	if int64(len(n.Pods))+1 > n.Allocatable.AllowedPods {
		reasons = append(reasons, ReasonTooManyPods)
	}
	req := &s.Pod.Requests
	if req.MilliCPU > 0 && req.MilliCPU > n.Allocatable.MilliCPU-n.Requested.MilliCPU {
		reasons = append(reasons, InsufficientReason(core.ResourceCPU))
	}
	if req.Memory > 0 && req.Memory > n.Allocatable.Memory-n.Requested.Memory {
		reasons = append(reasons, InsufficientReason(core.ResourceMemory))
	}
	if req.EphemeralStorage > 0 && req.EphemeralStorage > n.Allocatable.EphemeralStorage-n.Requested.EphemeralStorage {
		reasons = append(reasons, InsufficientReason(core.ResourceEphemeralStorage))
	}
	if len(req.Scalar) > 0 {
		var short []string
		for name, v := range req.Scalar {
			if v > 0 && v > n.Allocatable.Scalar[name]-n.Requested.Scalar[name] {
				short = append(short, InsufficientReason(name))
			}
		}
		sort.Strings(short)
		reasons = append(reasons, short...)
	}
	if len(reasons) == 0 {
		return nil
	}
	return &Status{Plugin: NodeResourcesFitName, Reasons: reasons}
}
