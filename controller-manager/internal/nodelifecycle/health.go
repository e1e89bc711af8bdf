package nodelifecycle

import (
	"math"
	"slices"
	"time"

	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/taints"
)

// Reasons and messages upstream's node lifecycle controller writes.
const (
	ReasonNodeStatusUnknown      = "NodeStatusUnknown"
	MessageNodeStatusUnknown     = "Kubelet stopped posting node status."
	ReasonNodeStatusNeverUpdated = "NodeStatusNeverUpdated"
	MessageNodeStatusNeverUpd    = "Kubelet never posted node status."
)

// LeaseNamespace holds the kubelets' heartbeat Leases, one per node, named after it.
const LeaseNamespace = "kube-node-lease"

// monitoredConditions are the conditions set to Unknown when a kubelet goes silent, as
// upstream's nodeConditionTypes.
var monitoredConditions = []core.NodeConditionType{core.NodeReady, core.NodeMemoryPressure, core.NodeDiskPressure, core.NodePIDPressure}

// ReadyCondition returns the node's Ready condition, or nil.
func ReadyCondition(n *core.Node) *core.NodeCondition {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == core.NodeReady {
			return &n.Status.Conditions[i]
		}
	}
	return nil
}

// ReadyStatus is the status of the node's Ready condition, Unknown when it has none.
func ReadyStatus(n *core.Node) core.ConditionStatus {
	if c := ReadyCondition(n); c != nil {
		return c.Status
	}
	return core.ConditionUnknown
}

// LastHeard is the latest sign of life of a node's kubelet: its Ready heartbeat, its
// Lease renewal, or (for a kubelet that never reported) the node's creation.
func LastHeard(n *core.Node, lease *coordination.Lease) time.Time {
	t := n.CreationTimestamp.Time
	if c := ReadyCondition(n); c != nil && c.LastHeartbeatTime.After(t) {
		t = c.LastHeartbeatTime.Time
	}
	if lease != nil && lease.Spec.RenewTime != nil && lease.Spec.RenewTime.After(t) {
		t = lease.Spec.RenewTime.Time
	}
	return t
}

// IsStale reports whether the node's kubelet has been silent for longer than grace at now.
func IsStale(n *core.Node, lease *coordination.Lease, now time.Time, grace time.Duration) bool {
	return now.Sub(LastHeard(n, lease)) > grace
}

// Healthy reports whether a node counts as up for disruption accounting: Ready=True and
// not stale.
func Healthy(n *core.Node, lease *coordination.Lease, now time.Time, grace time.Duration) bool {
	return ReadyStatus(n) == core.ConditionTrue && !IsStale(n, lease, now, grace)
}

// FullDisruption reports whether there are nodes and none of them is healthy.
func FullDisruption(healthy, total int) bool { return total > 0 && healthy == 0 }

// MarkUnknown returns a copy of the node's status with every monitored condition Unknown,
// and whether anything changed. Existing heartbeat times are kept; conditions the kubelet
// never posted are added with upstream's NodeStatusNeverUpdated reason.
func MarkUnknown(st core.NodeStatus, now time.Time) (core.NodeStatus, bool) {
	out := st
	out.Conditions = slices.Clone(st.Conditions)
	changed := false
	ts := meta.NewTime(now)
	for _, typ := range monitoredConditions {
		i := slices.IndexFunc(out.Conditions, func(c core.NodeCondition) bool { return c.Type == typ })
		if i < 0 {
			out.Conditions = append(out.Conditions, core.NodeCondition{Type: typ, Status: core.ConditionUnknown,
				Reason: ReasonNodeStatusNeverUpdated, Message: MessageNodeStatusNeverUpd, LastHeartbeatTime: ts, LastTransitionTime: ts})
			changed = true
			continue
		}
		c := &out.Conditions[i]
		if c.Status == core.ConditionUnknown {
			continue
		}
		c.Status, c.Reason, c.Message, c.LastTransitionTime = core.ConditionUnknown, ReasonNodeStatusUnknown, MessageNodeStatusUnknown, ts
		changed = true
	}
	return out, changed
}

// DesiredTaints returns the node's taints with the NoExecute taint its Ready status calls
// for (unreachable for Unknown, not-ready for False, none for True) and whether that
// differs from current. A taint already present keeps its timeAdded. In full disruption
// neither taint is kept, as upstream's markAllNodesAsReachable: eviction clocks restart
// when the cluster comes back.
func DesiredTaints(current []core.Taint, ready core.ConditionStatus, disrupted bool, now time.Time) ([]core.Taint, bool) {
	var want string
	if !disrupted {
		switch ready {
		case core.ConditionUnknown:
			want = core.TaintNodeUnreachable
		case core.ConditionFalse:
			want = core.TaintNodeNotReady
		}
	}
	var out []core.Taint
	found, changed := false, false
	for _, t := range current {
		managed := t.Effect == core.TaintEffectNoExecute && (t.Key == core.TaintNodeUnreachable || t.Key == core.TaintNodeNotReady)
		if managed && t.Key != want {
			changed = true
			continue
		}
		if managed {
			found = true
		}
		out = append(out, t)
	}
	if want != "" && !found {
		ts := meta.NewTime(now)
		out = append(out, core.Taint{Key: want, Effect: core.TaintEffectNoExecute, TimeAdded: &ts})
		changed = true
	}
	return out, changed
}

// NoExecuteTaint returns the node's unreachable or not-ready NoExecute taint, or nil.
func NoExecuteTaint(ts []core.Taint) *core.Taint {
	for i, t := range ts {
		if t.Effect == core.TaintEffectNoExecute && (t.Key == core.TaintNodeUnreachable || t.Key == core.TaintNodeNotReady) {
			return &ts[i]
		}
	}
	return nil
}

// EvictAt returns when a pod on a node carrying taint is to be deleted, and false when
// never. A pod tolerating the taint stays for the least tolerationSeconds among its
// matching tolerations, forever when none of them sets seconds (upstream's
// getMinTolerationTime); a pod that does not tolerate it stays for timeout. Time counts
// from the taint's timeAdded (from since when it has none).
func EvictAt(pod *core.Pod, taint core.Taint, timeout time.Duration, since time.Time) (time.Time, bool) {
	if taint.TimeAdded != nil {
		since = taint.TimeAdded.Time
	}
	tols := taints.Matching(pod.Spec.Tolerations, taint)
	if len(tols) == 0 {
		return since.Add(timeout), true
	}
	least := int64(math.MaxInt64)
	for _, t := range tols {
		if t.TolerationSeconds != nil {
			least = min(least, max(*t.TolerationSeconds, 0))
		}
	}
	if least == math.MaxInt64 {
		return time.Time{}, false
	}
	return since.Add(time.Duration(least) * time.Second), true
}

// MarkPodNotReady returns a copy of the pod's status with its Ready condition False, and
// whether that changed anything (upstream's MarkPodsNotReady). Pods without a Ready
// condition are left alone.
func MarkPodNotReady(st core.PodStatus, now time.Time) (core.PodStatus, bool) {
	i := slices.IndexFunc(st.Conditions, func(c core.PodCondition) bool { return c.Type == core.PodReady })
	if i < 0 || st.Conditions[i].Status == core.ConditionFalse {
		return st, false
	}
	out := st
	out.Conditions = slices.Clone(st.Conditions)
	out.Conditions[i].Status = core.ConditionFalse
	out.Conditions[i].LastTransitionTime = meta.NewTime(now)
	return out, true
}
