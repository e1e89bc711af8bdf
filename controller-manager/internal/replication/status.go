package replication

import (
	"time"

	"seven.dev/api/core"
	"seven.dev/api/labels"
)

// Status is the part of an RC's or RS's status the controller computes.
type Status struct {
	Replicas, FullyLabeledReplicas, ReadyReplicas, AvailableReplicas int32
	ObservedGeneration                                               int64
}

// ComputeStatus counts the owner's active pods: all of them, those carrying every label of
// the template, the ready ones and the ones ready for minReadySeconds at now.
func ComputeStatus(pods []*core.Pod, templateLabels map[string]string, minReadySeconds int32, generation int64, now time.Time) Status {
	s := Status{ObservedGeneration: generation}
	full := labels.SelectorFromSet(templateLabels)
	for _, p := range pods {
		s.Replicas++
		if full.Matches(labels.Set(p.Labels)) {
			s.FullyLabeledReplicas++
		}
		if IsReady(p) {
			s.ReadyReplicas++
			if IsAvailable(p, minReadySeconds, now) {
				s.AvailableReplicas++
			}
		}
	}
	return s
}
