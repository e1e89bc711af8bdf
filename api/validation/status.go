package validation

import (
	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/field"
)

const (
	moreThanReplicasMsg = "cannot be greater than status.replicas"
	moreThanReadyMsg    = "cannot be greater than readyReplicas"
)

// replicaCounts is the status shape shared by replication controllers,
// replica sets and deployments.
type replicaCounts struct {
	name  string
	value int32
}

// validateReplicaStatus checks non-negative counts and that none exceeds
// replicas, and available does not exceed ready.
func validateReplicaStatus(replicas, ready, available int32, observed int64, more []replicaCounts, p *field.Path) field.ErrorList {
	errs := validateNonnegative(int64(replicas), p.Child("replicas"))
	for _, c := range more {
		errs = append(errs, validateNonnegative(int64(c.value), p.Child(c.name))...)
	}
	errs = append(errs, validateNonnegative(int64(ready), p.Child("readyReplicas"))...)
	errs = append(errs, validateNonnegative(int64(available), p.Child("availableReplicas"))...)
	errs = append(errs, validateNonnegative(observed, p.Child("observedGeneration"))...)
	for _, c := range append(more, replicaCounts{"readyReplicas", ready}, replicaCounts{"availableReplicas", available}) {
		if c.value > replicas {
			errs = append(errs, field.Invalid(p.Child(c.name), c.value, moreThanReplicasMsg))
		}
	}
	if available > ready {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), available, moreThanReadyMsg))
	}
	return errs
}

// ValidateReplicationControllerStatusUpdate checks a write to
// replicationcontrollers/status.
func ValidateReplicationControllerStatusUpdate(rc, old *core.ReplicationController) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&rc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	s := rc.Status
	return append(errs, validateReplicaStatus(s.Replicas, s.ReadyReplicas, s.AvailableReplicas, s.ObservedGeneration,
		[]replicaCounts{{"fullyLabeledReplicas", s.FullyLabeledReplicas}}, field.NewPath("status"))...)
}

// ValidateReplicaSetStatusUpdate checks a write to replicasets/status.
func ValidateReplicaSetStatusUpdate(rs, old *apps.ReplicaSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	s := rs.Status
	return append(errs, validateReplicaStatus(s.Replicas, s.ReadyReplicas, s.AvailableReplicas, s.ObservedGeneration,
		[]replicaCounts{{"fullyLabeledReplicas", s.FullyLabeledReplicas}}, field.NewPath("status"))...)
}

// ValidateDeploymentStatusUpdate checks a write to deployments/status.
func ValidateDeploymentStatusUpdate(d, old *apps.Deployment) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	s, p := d.Status, field.NewPath("status")
	errs = append(errs, validateReplicaStatus(s.Replicas, s.ReadyReplicas, s.AvailableReplicas, s.ObservedGeneration,
		[]replicaCounts{{"updatedReplicas", s.UpdatedReplicas}}, p)...)
	errs = append(errs, validateNonnegative(int64(s.UnavailableReplicas), p.Child("unavailableReplicas"))...)
	return append(errs, validateCollisionCount(s.CollisionCount, old.Status.CollisionCount, p.Child("collisionCount"))...)
}

// ValidateDaemonSetStatusUpdate checks a write to daemonsets/status.
func ValidateDaemonSetStatusUpdate(ds, old *apps.DaemonSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ds.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	s, p := ds.Status, field.NewPath("status")
	for _, c := range []replicaCounts{
		{"currentNumberScheduled", s.CurrentNumberScheduled}, {"numberMisscheduled", s.NumberMisscheduled},
		{"desiredNumberScheduled", s.DesiredNumberScheduled}, {"numberReady", s.NumberReady},
	} {
		errs = append(errs, validateNonnegative(int64(c.value), p.Child(c.name))...)
	}
	errs = append(errs, validateNonnegative(s.ObservedGeneration, p.Child("observedGeneration"))...)
	for _, c := range []replicaCounts{
		{"updatedNumberScheduled", s.UpdatedNumberScheduled}, {"numberAvailable", s.NumberAvailable},
		{"numberUnavailable", s.NumberUnavailable},
	} {
		errs = append(errs, validateNonnegative(int64(c.value), p.Child(c.name))...)
	}
	return append(errs, validateCollisionCount(s.CollisionCount, old.Status.CollisionCount, p.Child("collisionCount"))...)
}

// validateCollisionCount requires a non-negative collision count that
// never goes down.
func validateCollisionCount(count, old *int32, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if count != nil {
		errs = append(errs, validateNonnegative(int64(*count), p)...)
	}
	if (count == nil && old != nil) || (count != nil && old != nil && *count < *old) {
		errs = append(errs, field.Invalid(p, deref(count), "cannot be decremented"))
	}
	return errs
}

// ValidateJobStatusUpdate checks a write to jobs/status: non-negative
// counters and no duplicate uncounted pods. The stricter transition rules
// upstream applies to externally managed jobs are not modelled.
func ValidateJobStatusUpdate(job, old *batch.Job) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&job.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	s, p := job.Status, field.NewPath("status")
	for _, c := range []replicaCounts{{"active", s.Active}, {"succeeded", s.Succeeded}, {"failed", s.Failed}} {
		errs = append(errs, validateNonnegative(int64(c.value), p.Child(c.name))...)
	}
	if s.Ready != nil {
		errs = append(errs, validateNonnegative(int64(*s.Ready), p.Child("ready"))...)
	}
	if s.Terminating != nil {
		errs = append(errs, validateNonnegative(int64(*s.Terminating), p.Child("terminating"))...)
	}
	if u := s.UncountedTerminatedPods; u != nil {
		up := p.Child("uncountedTerminatedPods")
		seen := map[string]bool{}
		for _, list := range []struct {
			name string
			uids []string
		}{{"succeeded", u.Succeeded}, {"failed", u.Failed}} {
			for i, uid := range list.uids {
				ip := up.Child(list.name).Index(i)
				switch {
				case uid == "":
					errs = append(errs, field.Invalid(ip, uid, "must not be empty"))
				case seen[uid]:
					errs = append(errs, field.Duplicate(ip, uid))
				default:
					seen[uid] = true
				}
			}
		}
	}
	return errs
}
