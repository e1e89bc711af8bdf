package replication

import (
	"sort"
	"time"

	"seven.dev/api/core"
)

// IsActive reports whether pod counts towards a replica count: not terminal and not being
// deleted.
func IsActive(p *core.Pod) bool {
	return p.Status.Phase != core.PodSucceeded && p.Status.Phase != core.PodFailed && p.DeletionTimestamp == nil
}

// IsReady reports whether pod's Ready condition is True.
func IsReady(p *core.Pod) bool {
	c := readyCondition(p)
	return c != nil && c.Status == core.ConditionTrue
}

func readyCondition(p *core.Pod) *core.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == core.PodReady {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// IsAvailable reports whether pod has been ready for at least minReadySeconds at now.
func IsAvailable(p *core.Pod, minReadySeconds int32, now time.Time) bool {
	c := readyCondition(p)
	if c == nil || c.Status != core.ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	return !c.LastTransitionTime.IsZero() && !c.LastTransitionTime.Add(time.Duration(minReadySeconds)*time.Second).After(now)
}

func restarts(p *core.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n += s.RestartCount
	}
	return n
}

var phaseRank = map[core.PodPhase]int{core.PodPending: 0, core.PodUnknown: 1, core.PodRunning: 2}

// lessValuable orders pods the way upstream's ActivePods does: the pod to delete first
// sorts first.
func lessValuable(a, b *core.Pod) bool {
	// Unscheduled before scheduled.
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	// Pending before unknown before running.
	if pa, pb := phaseRank[a.Status.Phase], phaseRank[b.Status.Phase]; pa != pb {
		return pa < pb
	}
	// Not ready before ready.
	if ra, rb := IsReady(a), IsReady(b); ra != rb {
		return !ra
	}
	// Ready for less time first.
	if IsReady(a) && IsReady(b) {
		ta, tb := readyCondition(a).LastTransitionTime.Time, readyCondition(b).LastTransitionTime.Time
		if !ta.Equal(tb) {
			return ta.After(tb)
		}
	}
	// More restarts first.
	if ra, rb := restarts(a), restarts(b); ra != rb {
		return ra > rb
	}
	// Newer first.
	if ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time; !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.Name < b.Name
}

// PodsToDelete picks the n least valuable of pods to delete on scale-down. It does not
// modify pods.
func PodsToDelete(pods []*core.Pod, n int) []*core.Pod {
	if n <= 0 {
		return nil
	}
	sorted := append([]*core.Pod(nil), pods...)
	sort.SliceStable(sorted, func(i, j int) bool { return lessValuable(sorted[i], sorted[j]) })
	if n > len(sorted) {
		n = len(sorted)
	}
	return sorted[:n]
}
