package daemonset

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/controller-manager/internal/replication"
)

// TemplateGenerationLabel is the deprecated label upstream still puts on daemon pods.
const TemplateGenerationLabel = "pod-template-generation"

// Plan is what one sync of a daemon set does.
type Plan struct {
	// Create lists the nodes that get a new daemon pod.
	Create []string
	// Delete are the pods to delete.
	Delete []*core.Pod
	// Status is the daemon set's status before the plan is carried out, as upstream's.
	Status apps.DaemonSetStatus
}

// byAge sorts bound pods before unbound ones, then oldest first (upstream's
// podByCreationTimestampAndPhase): the first is the one kept.
func byAge(ps []*core.Pod) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
			return a.Spec.NodeName != ""
		}
		if !a.CreationTimestamp.Equal(b.CreationTimestamp.Time) {
			return a.CreationTimestamp.Before(b.CreationTimestamp.Time)
		}
		return a.Name < b.Name
	})
}

// Updated reports whether a daemon pod runs the template with hash.
func Updated(p *core.Pod, hash string) bool {
	return p.Labels[apps.ControllerRevisionHashLabelKey] == hash
}

// Decide computes the plan for ds with template hash, given every node and the pods ds
// controls, at now.
func Decide(ds *apps.DaemonSet, hash string, nodes []*core.Node, pods []*core.Pod, now time.Time) (Plan, error) {
	byNode := map[string][]*core.Pod{}
	for _, p := range pods {
		n := TargetNode(p)
		byNode[n] = append(byNode[n], p)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	var plan Plan
	st := apps.DaemonSetStatus{ObservedGeneration: ds.Generation, CollisionCount: ds.Status.CollisionCount, Conditions: ds.Status.Conditions}
	known := map[string]bool{}
	touched := map[string]bool{}
	var eligible []string
	for _, node := range nodes {
		known[node.Name] = true
		run, keep := ShouldRun(&ds.Spec.Template.Spec, node)
		podsHere := byNode[node.Name]
		byAge(podsHere)
		status(&st, ds, hash, run, podsHere, now)
		if run {
			eligible = append(eligible, node.Name)
		}
		var live []*core.Pod
		for _, p := range podsHere {
			switch {
			case p.DeletionTimestamp != nil:
			case !keep:
				plan.Delete = append(plan.Delete, p)
				touched[node.Name] = true
			case p.Status.Phase == core.PodFailed || p.Status.Phase == core.PodSucceeded:
				// A daemon pod must not end: replace it (created on a later sync, once gone).
				plan.Delete = append(plan.Delete, p)
				touched[node.Name] = true
			default:
				live = append(live, p)
			}
		}
		switch {
		case run && len(podsHere) == 0:
			plan.Create = append(plan.Create, node.Name)
			touched[node.Name] = true
		case keep && len(live) > 1:
			// Keep the oldest of duplicates.
			plan.Delete = append(plan.Delete, live[1:]...)
			touched[node.Name] = true
		}
	}
	// Pods pinned to nodes that no longer exist will never run.
	var gone []string
	for n := range byNode {
		if !known[n] {
			gone = append(gone, n)
		}
	}
	sort.Strings(gone)
	for _, n := range gone {
		for _, p := range byNode[n] {
			if p.DeletionTimestamp == nil {
				plan.Delete = append(plan.Delete, p)
			}
		}
	}
	st.NumberUnavailable = st.DesiredNumberScheduled - st.NumberAvailable
	plan.Status = st
	if ds.Spec.UpdateStrategy.Type == apps.OnDeleteDaemonSetStrategyType {
		return plan, nil
	}
	old, err := rollingUpdate(ds, hash, eligible, byNode, touched, int(st.DesiredNumberScheduled), now)
	if err != nil {
		return plan, err
	}
	plan.Delete = append(plan.Delete, old...)
	return plan, nil
}

// status adds one node's contribution to the status counts.
func status(st *apps.DaemonSetStatus, ds *apps.DaemonSet, hash string, run bool, pods []*core.Pod, now time.Time) {
	if !run {
		if len(pods) > 0 {
			st.NumberMisscheduled++
		}
		return
	}
	st.DesiredNumberScheduled++
	if len(pods) == 0 {
		return
	}
	st.CurrentNumberScheduled++
	p := pods[0]
	if replication.IsReady(p) {
		st.NumberReady++
		if replication.IsAvailable(p, ds.Spec.MinReadySeconds, now) {
			st.NumberAvailable++
		}
	}
	if Updated(p, hash) {
		st.UpdatedNumberScheduled++
	}
}

// MaxUnavailable resolves the rolling update's maxUnavailable against desired (rounding
// up, as upstream), at least 1.
func MaxUnavailable(ds *apps.DaemonSet, desired int) (int, error) {
	v := intstr.FromInt32(1)
	if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		v = *ru.MaxUnavailable
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(&v, desired, true)
	if err != nil {
		return 0, fmt.Errorf("daemon set %s/%s maxUnavailable: %w", ds.Namespace, ds.Name, err)
	}
	return max(n, 1), nil
}

// rollingUpdate picks the old pods to delete now, upstream's rollingUpdate without surge:
// old pods that are not available go at once; available ones only while fewer than
// maxUnavailable eligible nodes lack an available updated pod.
func rollingUpdate(ds *apps.DaemonSet, hash string, eligible []string, byNode map[string][]*core.Pod, touched map[string]bool, desired int, now time.Time) ([]*core.Pod, error) {
	maxUnavailable, err := MaxUnavailable(ds, desired)
	if err != nil {
		return nil, err
	}
	unavailable := 0
	var allowed, candidates []*core.Pod
	for _, n := range eligible {
		var live []*core.Pod
		for _, p := range byNode[n] {
			if p.DeletionTimestamp == nil {
				live = append(live, p)
			}
		}
		if touched[n] || len(live) != 1 {
			unavailable++
			continue
		}
		p := live[0]
		available := replication.IsAvailable(p, ds.Spec.MinReadySeconds, now)
		switch {
		case Updated(p, hash):
			if !available {
				unavailable++
			}
		case !available:
			allowed = append(allowed, p)
		case unavailable < maxUnavailable:
			candidates = append(candidates, p)
		}
	}
	room := min(max(maxUnavailable-unavailable, 0), len(candidates))
	return append(allowed, candidates[:room]...), nil
}

// generationLabel is the value of TemplateGenerationLabel for ds.
func generationLabel(ds *apps.DaemonSet) string { return strconv.FormatInt(ds.Generation, 10) }
