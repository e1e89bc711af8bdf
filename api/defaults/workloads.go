package defaults

import (
	"maps"
	"math"

	"seven.dev/api/apps"
	"seven.dev/api/batch"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

// Workload defaults upstream fills that core does not name as constants.
const (
	defaultReplicas                = 1
	defaultRevisionHistoryLimit    = 10
	defaultProgressDeadlineSeconds = 600
	defaultDeploymentMaxSurge      = "25%"
	defaultDeploymentMaxUnavail    = "25%"
	defaultDaemonSetMaxUnavailable = 1
	defaultDaemonSetMaxSurge       = 0
	defaultJobBackoffLimit         = 6
)

// ReplicationController defaults replicas to 1 and, from the template's
// labels, an empty selector and empty object labels.
func ReplicationController(rc *core.ReplicationController) {
	if t := rc.Spec.Template; t != nil && t.Labels != nil {
		if len(rc.Spec.Selector) == 0 {
			rc.Spec.Selector = maps.Clone(t.Labels)
		}
		if len(rc.Labels) == 0 {
			rc.Labels = maps.Clone(t.Labels)
		}
	}
	if rc.Spec.Replicas == nil {
		rc.Spec.Replicas = new(int32(defaultReplicas))
	}
	PodTemplateSpec(rc.Spec.Template)
}

// Deployment defaults replicas, a 25%/25% rolling update, the revision
// history limit and the progress deadline.
func Deployment(d *apps.Deployment) {
	spec := &d.Spec
	if spec.Replicas == nil {
		spec.Replicas = new(int32(defaultReplicas))
	}
	s := &spec.Strategy
	if s.Type == "" {
		s.Type = apps.RollingUpdateDeploymentStrategyType
	}
	if s.Type == apps.RollingUpdateDeploymentStrategyType {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &apps.RollingUpdateDeployment{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			s.RollingUpdate.MaxUnavailable = new(intstr.FromString(defaultDeploymentMaxUnavail))
		}
		if s.RollingUpdate.MaxSurge == nil {
			s.RollingUpdate.MaxSurge = new(intstr.FromString(defaultDeploymentMaxSurge))
		}
	}
	if spec.RevisionHistoryLimit == nil {
		spec.RevisionHistoryLimit = new(int32(defaultRevisionHistoryLimit))
	}
	if spec.ProgressDeadlineSeconds == nil {
		spec.ProgressDeadlineSeconds = new(int32(defaultProgressDeadlineSeconds))
	}
	PodTemplateSpec(&spec.Template)
}

// ReplicaSet defaults replicas to 1.
func ReplicaSet(rs *apps.ReplicaSet) {
	if rs.Spec.Replicas == nil {
		rs.Spec.Replicas = new(int32(defaultReplicas))
	}
	PodTemplateSpec(&rs.Spec.Template)
}

// DaemonSet defaults a rolling update of one unavailable pod and no surge,
// and the revision history limit.
func DaemonSet(ds *apps.DaemonSet) {
	spec := &ds.Spec
	s := &spec.UpdateStrategy
	if s.Type == "" {
		s.Type = apps.RollingUpdateDaemonSetStrategyType
	}
	if s.Type == apps.RollingUpdateDaemonSetStrategyType {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &apps.RollingUpdateDaemonSet{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			s.RollingUpdate.MaxUnavailable = new(intstr.FromInt32(defaultDaemonSetMaxUnavailable))
		}
		if s.RollingUpdate.MaxSurge == nil {
			s.RollingUpdate.MaxSurge = new(intstr.FromInt32(defaultDaemonSetMaxSurge))
		}
	}
	if spec.RevisionHistoryLimit == nil {
		spec.RevisionHistoryLimit = new(int32(defaultRevisionHistoryLimit))
	}
	PodTemplateSpec(&spec.Template)
}

// Job defaults a job: completions and parallelism 1 when neither is set
// (parallelism 1 when only completions is), the backoff limit (unlimited
// when a per-index limit is set), object labels from the template, NonIndexed
// completion, not suspended, no manual selector, condition status True in
// pod failure policy patterns, and the pod replacement policy.
func Job(job *batch.Job) {
	spec := &job.Spec
	if spec.Completions == nil && spec.Parallelism == nil {
		spec.Completions = new(int32(1))
	}
	if spec.Parallelism == nil {
		spec.Parallelism = new(int32(1))
	}
	if spec.BackoffLimit == nil {
		if spec.BackoffLimitPerIndex != nil {
			spec.BackoffLimit = new(int32(math.MaxInt32))
		} else {
			spec.BackoffLimit = new(int32(defaultJobBackoffLimit))
		}
	}
	if spec.Template.Labels != nil && len(job.Labels) == 0 {
		job.Labels = maps.Clone(spec.Template.Labels)
	}
	if spec.CompletionMode == nil {
		spec.CompletionMode = new(batch.NonIndexedCompletion)
	}
	if spec.Suspend == nil {
		spec.Suspend = new(false)
	}
	if spec.ManualSelector == nil {
		spec.ManualSelector = new(false)
	}
	if p := spec.PodFailurePolicy; p != nil {
		for i := range p.Rules {
			conds := p.Rules[i].OnPodConditions
			for j := range conds {
				if conds[j].Status == "" {
					conds[j].Status = core.ConditionTrue
				}
			}
		}
	}
	if spec.PodReplacementPolicy == nil {
		if spec.PodFailurePolicy != nil {
			spec.PodReplacementPolicy = new(batch.Failed)
		} else {
			spec.PodReplacementPolicy = new(batch.TerminatingOrFailed)
		}
	}
	PodTemplateSpec(&spec.Template)
}

// GenerateJobSelector does what upstream's job registry does at create
// time unless spec.manualSelector is true: it labels the pod template with
// the job's name and UID (both the batch.kubernetes.io/ and the legacy
// unprefixed keys, keeping any the user set so that validation can reject a
// conflict) and selects on the prefixed controller-uid label. Call it after
// the UID and name have been assigned and before validation.
func GenerateJobSelector(job *batch.Job) {
	if job.Spec.ManualSelector != nil && *job.Spec.ManualSelector {
		return
	}
	t := &job.Spec.Template
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	for key, value := range map[string]string{
		batch.LegacyJobNameLabel:       job.Name,
		batch.JobNameLabel:             job.Name,
		batch.LegacyControllerUIDLabel: job.UID,
		batch.ControllerUIDLabel:       job.UID,
	} {
		if _, ok := t.Labels[key]; !ok {
			t.Labels[key] = value
		}
	}
	if job.Spec.Selector == nil {
		job.Spec.Selector = &meta.LabelSelector{}
	}
	if job.Spec.Selector.MatchLabels == nil {
		job.Spec.Selector.MatchLabels = map[string]string{}
	}
	if _, ok := job.Spec.Selector.MatchLabels[batch.ControllerUIDLabel]; !ok {
		job.Spec.Selector.MatchLabels[batch.ControllerUIDLabel] = job.UID
	}
}
