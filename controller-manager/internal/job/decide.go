package job

import (
	"time"

	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/controller-manager/internal/replication"
)

// Condition messages upstream writes.
const (
	MessageBackoffLimitExceeded = "Job has reached the specified backoff limit"
	MessageDeadlineExceeded     = "Job was active longer than specified deadline"
	MessageCompletionsReached   = "Reached expected number of succeeded pods"
)

// Plan is what one sync of a job does.
type Plan struct {
	// Status is the job's next status.
	Status batch.JobStatus
	// Create is how many pods to create.
	Create int
	// Delete are the active pods to delete.
	Delete []*core.Pod
	// Deadline is how long until activeDeadlineSeconds passes (0 when not set or passed).
	Deadline time.Duration
}

func i32(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// Finished reports whether the job has a True Complete or Failed condition.
func Finished(st batch.JobStatus) bool {
	return Condition(st, batch.JobComplete) != nil || Condition(st, batch.JobFailed) != nil
}

// Condition returns the job's True condition of type typ, or nil.
func Condition(st batch.JobStatus, typ batch.JobConditionType) *batch.JobCondition {
	for i, c := range st.Conditions {
		if c.Type == typ && c.Status == core.ConditionTrue {
			return &st.Conditions[i]
		}
	}
	return nil
}

func newCondition(typ batch.JobConditionType, reason, msg string, now time.Time) batch.JobCondition {
	t := meta.NewTime(now)
	return batch.JobCondition{Type: typ, Status: core.ConditionTrue, Reason: reason, Message: msg, LastProbeTime: t, LastTransitionTime: t}
}

// Decide computes the plan for job given the pods it controls at now.
func Decide(job *batch.Job, pods []*core.Pod, now time.Time) Plan {
	st := job.Status
	st.Conditions = append([]batch.JobCondition(nil), job.Status.Conditions...)
	var active, terminating []*core.Pod
	var succeeded, failed, ready, restarts int32
	for _, p := range pods {
		switch {
		case p.Status.Phase == core.PodSucceeded:
			succeeded++
		case p.Status.Phase == core.PodFailed:
			failed++
		case p.DeletionTimestamp != nil:
			terminating = append(terminating, p)
		default:
			active = append(active, p)
			if replication.IsReady(p) {
				ready++
			}
			for _, cs := range p.Status.ContainerStatuses {
				restarts += cs.RestartCount
			}
		}
	}
	// Counts never go down: a finished pod deleted by someone else stays counted.
	st.Succeeded, st.Failed = max(st.Succeeded, succeeded), max(st.Failed, failed)
	st.Ready = &ready
	plan := Plan{}
	suspended := job.Spec.Suspend != nil && *job.Spec.Suspend
	if Finished(st) {
		plan.Delete = active
	} else {
		if st.StartTime == nil && !suspended {
			t := meta.NewTime(now)
			st.StartTime = &t
		}
		if Condition(st, batch.JobFailureTarget) == nil && Condition(st, batch.JobSuccessCriteriaMet) == nil {
			if c := terminalCondition(job, st, len(active), restarts, now, &plan); c != nil {
				st.Conditions = append(st.Conditions, *c)
			}
		}
		if Condition(st, batch.JobFailureTarget) != nil || Condition(st, batch.JobSuccessCriteriaMet) != nil {
			plan.Delete = active
		} else if !suspended {
			plan.Create, plan.Delete = scale(job, st, active)
		} else {
			plan.Delete = active
		}
	}
	nActive := int32(len(active)-len(plan.Delete)) + int32(plan.Create)
	nTerminating := int32(len(terminating) + len(plan.Delete))
	st.Active, st.Terminating = nActive, &nTerminating
	// The final condition waits until no pod of the job runs any more.
	if !Finished(st) && nActive == 0 && nTerminating == 0 {
		if c := Condition(st, batch.JobFailureTarget); c != nil {
			st.Conditions = append(st.Conditions, newCondition(batch.JobFailed, c.Reason, c.Message, now))
		} else if c := Condition(st, batch.JobSuccessCriteriaMet); c != nil {
			st.Conditions = append(st.Conditions, newCondition(batch.JobComplete, c.Reason, c.Message, now))
			t := meta.NewTime(now)
			st.CompletionTime = &t
		}
	}
	plan.Status = st
	return plan
}

// terminalCondition returns the interim condition the job reaches now, if any, and sets
// plan.Deadline while the active deadline is ahead.
func terminalCondition(job *batch.Job, st batch.JobStatus, active int, restarts int32, now time.Time, plan *Plan) *batch.JobCondition {
	backoff := i32(job.Spec.BackoffLimit, 6)
	onFailure := job.Spec.Template.Spec.RestartPolicy == core.RestartPolicyOnFailure
	if st.Failed > backoff || (onFailure && backoff >= 0 && restarts >= backoff && restarts > 0) {
		c := newCondition(batch.JobFailureTarget, batch.JobReasonBackoffLimitExceeded, MessageBackoffLimitExceeded, now)
		return &c
	}
	if d := job.Spec.ActiveDeadlineSeconds; d != nil && st.StartTime != nil {
		left := st.StartTime.Add(time.Duration(*d) * time.Second).Sub(now)
		if left <= 0 {
			c := newCondition(batch.JobFailureTarget, batch.JobReasonDeadlineExceeded, MessageDeadlineExceeded, now)
			return &c
		}
		plan.Deadline = left
	}
	complete := false
	if job.Spec.Completions == nil {
		complete = st.Succeeded > 0 && active == 0
	} else {
		complete = st.Succeeded >= *job.Spec.Completions
	}
	if complete {
		c := newCondition(batch.JobSuccessCriteriaMet, batch.JobReasonCompletionsReached, MessageCompletionsReached, now)
		return &c
	}
	return nil
}

// scale returns how many pods to create, or which active pods to delete, for the job to
// run as many pods as parallelism and the remaining completions allow.
func scale(job *batch.Job, st batch.JobStatus, active []*core.Pod) (int, []*core.Pod) {
	parallelism := i32(job.Spec.Parallelism, 1)
	var want int32
	switch {
	case job.Spec.Completions != nil:
		want = min(parallelism, max(*job.Spec.Completions-st.Succeeded, 0))
	case st.Succeeded > 0:
		// A work queue job with a success: let the running pods finish, start no more.
		want = int32(len(active))
	default:
		want = parallelism
	}
	diff := int(want) - len(active)
	if diff >= 0 {
		return min(diff, replication.BurstReplicas), nil
	}
	return 0, replication.PodsToDelete(active, -diff)
}
