package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// defaultContainerAnnotation names the container kubectl picks when -c is not given.
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// podSelectorOf is the label selector of the pods a workload or service runs on, the way
// upstream's attach/exec/logs find "the first pod" of TYPE/NAME.
func podSelectorOf(k *scheme.Kind, obj object) (string, error) {
	name := nestedString(obj, "metadata", "name")
	raw := nested(obj, "spec", "selector")
	switch k.Kind {
	case "ReplicationController", "Service":
		set := map[string]string{}
		if m, ok := raw.(map[string]any); ok {
			for key, v := range m {
				s, _ := v.(string)
				set[key] = s
			}
		}
		if len(set) == 0 {
			if k.Kind == "Service" {
				return "", fmt.Errorf("invalid service '%s': Service is defined without a selector", name)
			}
			return "", fmt.Errorf("replicationcontroller %s has no selector", name)
		}
		return labels.SelectorFromSet(set).String(), nil
	case "ReplicaSet", "Deployment", "DaemonSet", "StatefulSet", "Job":
		var ls *meta.LabelSelector
		if raw != nil {
			b, _ := json.Marshal(raw)
			ls = &meta.LabelSelector{}
			if err := json.Unmarshal(b, ls); err != nil {
				return "", fmt.Errorf("invalid label selector: %v", err)
			}
		}
		sel, err := labels.SelectorFromLabelSelector(ls)
		if err != nil {
			return "", fmt.Errorf("invalid label selector: %v", err)
		}
		if ls == nil {
			return "", fmt.Errorf("%s %s has no selector", strings.ToLower(k.Kind), name)
		}
		return sel.String(), nil
	}
	t := fmt.Sprintf("*%s.%s", k.Version, k.Kind)
	return "", fmt.Errorf("cannot attach to %s: selector for %s not implemented", t, t)
}

// sortPodsForAttach puts the pod to attach to first: assigned to a node, Running, Ready,
// Ready for longest, fewest restarts, oldest (upstream's order for "the first pod").
func sortPodsForAttach(pods []*core.Pod) {
	sort.SliceStable(pods, func(i, j int) bool { return moreAttachable(pods[i], pods[j]) })
}

func moreAttachable(a, b *core.Pod) bool {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName != ""
	}
	phaseRank := map[core.PodPhase]int{core.PodPending: 0, core.PodUnknown: 1, core.PodRunning: 2}
	if ra, rb := phaseRank[a.Status.Phase], phaseRank[b.Status.Phase]; ra != rb {
		return ra > rb
	}
	readyA, sinceA := readySince(a)
	readyB, sinceB := readySince(b)
	if readyA != readyB {
		return readyA
	}
	if readyA && !sinceA.Equal(sinceB) {
		return earlierOrSet(sinceA, sinceB)
	}
	if ra, rb := maxRestarts(a), maxRestarts(b); ra != rb {
		return ra < rb
	}
	ca, cb := a.CreationTimestamp.Time, b.CreationTimestamp.Time
	if !ca.Equal(cb) {
		return earlierOrSet(ca, cb)
	}
	return false
}

// earlierOrSet orders set times before unset ones and earlier before later.
func earlierOrSet(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return !a.IsZero()
	}
	return a.Before(b)
}

func readySince(p *core.Pod) (bool, time.Time) {
	for _, c := range p.Status.Conditions {
		if c.Type == core.PodReady {
			return c.Status == core.ConditionTrue, c.LastTransitionTime.Time
		}
	}
	return false, time.Time{}
}

func maxRestarts(p *core.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n = max(n, s.RestartCount)
	}
	return n
}

// defaultContainer picks the container of an exec without -c: the one the
// kubectl.kubernetes.io/default-container annotation names when it exists, else the first.
// note is upstream's "Defaulted container ..." line when the pod has other containers.
func defaultContainer(p *core.Pod) (name, note string, err error) {
	if len(p.Spec.Containers) == 0 {
		return "", "", fmt.Errorf("pod %s/%s does not have any containers", p.Namespace, p.Name)
	}
	if want := p.Annotations[defaultContainerAnnotation]; want != "" && podHasContainer(p, want) {
		return want, "", nil
	}
	name = p.Spec.Containers[0].Name
	if len(p.Spec.Containers) > 1 || len(p.Spec.InitContainers) > 0 || len(p.Spec.EphemeralContainers) > 0 {
		var all []string
		for _, c := range p.Spec.Containers {
			all = append(all, c.Name)
		}
		for _, c := range p.Spec.EphemeralContainers {
			all = append(all, c.Name+" (ephem)")
		}
		for _, c := range p.Spec.InitContainers {
			all = append(all, c.Name+" (init)")
		}
		note = fmt.Sprintf("Defaulted container %q out of: %s", name, strings.Join(all, ", "))
	}
	return name, note, nil
}

// podHasContainer reports whether name is one of the pod's containers (init and ephemeral
// included).
func podHasContainer(p *core.Pod, name string) bool {
	for _, c := range p.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range p.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}
