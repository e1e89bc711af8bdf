package deployment

import (
	"reflect"
	"time"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func complete(st apps.DeploymentStatus, replicas int32) bool {
	return st.UpdatedReplicas == replicas && st.Replicas == replicas && st.AvailableReplicas == replicas
}

// Status computes a deployment's status from its ReplicaSets at now, carrying over the
// condition timestamps that did not change.
func Status(d *apps.Deployment, newRS *apps.ReplicaSet, olds []*apps.ReplicaSet, replicas int32, now time.Time) apps.DeploymentStatus {
	st := apps.DeploymentStatus{ObservedGeneration: d.Generation, CollisionCount: d.Status.CollisionCount}
	all := append([]*apps.ReplicaSet{}, olds...)
	if newRS != nil {
		all = append(all, newRS)
		st.UpdatedReplicas = newRS.Status.Replicas
	}
	for _, rs := range all {
		st.Replicas += rs.Status.Replicas
		st.ReadyReplicas += rs.Status.ReadyReplicas
		st.AvailableReplicas += rs.Status.AvailableReplicas
	}
	st.UnavailableReplicas = max(0, st.Replicas-st.AvailableReplicas, replicas-st.AvailableReplicas)
	_, unavail, _ := fenceposts(d, replicas)
	if d.Spec.Strategy.Type == apps.RecreateDeploymentStrategyType {
		unavail = 0
	}
	avail := apps.DeploymentCondition{Type: apps.DeploymentAvailable, Status: core.ConditionFalse, Reason: "MinimumReplicasUnavailable", Message: "Deployment does not have minimum availability."}
	if st.AvailableReplicas >= replicas-unavail {
		avail = apps.DeploymentCondition{Type: apps.DeploymentAvailable, Status: core.ConditionTrue, Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."}
	}
	rsName := ""
	if newRS != nil {
		rsName = newRS.Name
	}
	prog := apps.DeploymentCondition{Type: apps.DeploymentProgressing, Status: core.ConditionTrue, Reason: "ReplicaSetUpdated", Message: `ReplicaSet "` + rsName + `" is progressing.`}
	old := condition(d.Status.Conditions, apps.DeploymentProgressing)
	switch {
	case d.Spec.Paused:
		prog = apps.DeploymentCondition{Type: apps.DeploymentProgressing, Status: core.ConditionUnknown, Reason: "DeploymentPaused", Message: "Deployment is paused"}
	case complete(st, replicas):
		prog.Reason, prog.Message = "NewReplicaSetAvailable", `ReplicaSet "`+rsName+`" has successfully progressed.`
	case old != nil && old.Reason == "ProgressDeadlineExceeded":
		prog = *old
	case d.Spec.ProgressDeadlineSeconds != nil && old != nil && old.Status == core.ConditionTrue &&
		old.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds)*time.Second).Before(now) &&
		reflect.DeepEqual(statusCounts(d.Status), statusCounts(st)):
		prog = apps.DeploymentCondition{Type: apps.DeploymentProgressing, Status: core.ConditionFalse, Reason: "ProgressDeadlineExceeded", Message: `ReplicaSet "` + rsName + `" has timed out progressing.`}
	}
	st.Conditions = []apps.DeploymentCondition{stamp(avail, d.Status.Conditions, now), stamp(prog, d.Status.Conditions, now)}
	return st
}

func statusCounts(s apps.DeploymentStatus) [5]int32 {
	return [5]int32{s.Replicas, s.UpdatedReplicas, s.ReadyReplicas, s.AvailableReplicas, s.UnavailableReplicas}
}

func condition(cs []apps.DeploymentCondition, t apps.DeploymentConditionType) *apps.DeploymentCondition {
	for i := range cs {
		if cs[i].Type == t {
			return &cs[i]
		}
	}
	return nil
}

// stamp sets the timestamps of c: both kept when nothing changed, lastTransitionTime kept
// when only the reason or message changed.
func stamp(c apps.DeploymentCondition, prev []apps.DeploymentCondition, now time.Time) apps.DeploymentCondition {
	t := meta.NewTime(now.UTC().Truncate(time.Second))
	c.LastUpdateTime, c.LastTransitionTime = t, t
	if p := condition(prev, c.Type); p != nil {
		if p.Status == c.Status {
			c.LastTransitionTime = p.LastTransitionTime
			if p.Reason == c.Reason && p.Message == c.Message {
				c.LastUpdateTime = p.LastUpdateTime
			}
		}
	}
	return c
}

func statusEqual(a, b apps.DeploymentStatus) bool { return reflect.DeepEqual(a, b) }
