package batch

import (
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// Job runs pods until a number of them complete successfully.
type Job struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            JobSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status          JobStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// JobList is a list of jobs.
type JobList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []Job `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// JobSpec is the desired state of a job.
type JobSpec struct {
	Parallelism             *int32                `json:"parallelism,omitempty" protobuf:"varint,1,opt,name=parallelism"`
	Completions             *int32                `json:"completions,omitempty" protobuf:"varint,2,opt,name=completions"`
	ActiveDeadlineSeconds   *int64                `json:"activeDeadlineSeconds,omitempty" protobuf:"varint,3,opt,name=activeDeadlineSeconds"`
	PodFailurePolicy        *PodFailurePolicy     `json:"podFailurePolicy,omitempty" protobuf:"bytes,11,opt,name=podFailurePolicy"`
	SuccessPolicy           *SuccessPolicy        `json:"successPolicy,omitempty" protobuf:"bytes,16,opt,name=successPolicy"`
	BackoffLimit            *int32                `json:"backoffLimit,omitempty" protobuf:"varint,7,opt,name=backoffLimit"`
	BackoffLimitPerIndex    *int32                `json:"backoffLimitPerIndex,omitempty" protobuf:"varint,12,opt,name=backoffLimitPerIndex"`
	MaxFailedIndexes        *int32                `json:"maxFailedIndexes,omitempty" protobuf:"varint,13,opt,name=maxFailedIndexes"`
	Selector                *meta.LabelSelector   `json:"selector,omitempty" protobuf:"bytes,4,opt,name=selector"`
	ManualSelector          *bool                 `json:"manualSelector,omitempty" protobuf:"varint,5,opt,name=manualSelector"`
	Template                core.PodTemplateSpec  `json:"template" protobuf:"bytes,6,opt,name=template"`
	TTLSecondsAfterFinished *int32                `json:"ttlSecondsAfterFinished,omitempty" protobuf:"varint,8,opt,name=ttlSecondsAfterFinished"`
	CompletionMode          *CompletionMode       `json:"completionMode,omitempty" protobuf:"bytes,9,opt,name=completionMode"`
	Suspend                 *bool                 `json:"suspend,omitempty" protobuf:"varint,10,opt,name=suspend"`
	PodReplacementPolicy    *PodReplacementPolicy `json:"podReplacementPolicy,omitempty" protobuf:"bytes,14,opt,name=podReplacementPolicy"`
	ManagedBy               *string               `json:"managedBy,omitempty" protobuf:"bytes,15,opt,name=managedBy"`
}

// CompletionMode says how the completions of a job are counted.
type CompletionMode string

// Values of CompletionMode.
const (
	NonIndexedCompletion CompletionMode = "NonIndexed"
	IndexedCompletion    CompletionMode = "Indexed"
)

// PodReplacementPolicy says when a failed pod is replaced.
type PodReplacementPolicy string

// Values of PodReplacementPolicy.
const (
	TerminatingOrFailed PodReplacementPolicy = "TerminatingOrFailed"
	Failed              PodReplacementPolicy = "Failed"
)

// PodFailurePolicy decides what a pod failure means for the job.
type PodFailurePolicy struct {
	Rules []PodFailurePolicyRule `json:"rules" protobuf:"bytes,1,rep,name=rules"`
}

// PodFailurePolicyRule matches a pod failure and names the action taken.
type PodFailurePolicyRule struct {
	Action          PodFailurePolicyAction                   `json:"action" protobuf:"bytes,1,opt,name=action"`
	OnExitCodes     *PodFailurePolicyOnExitCodesRequirement  `json:"onExitCodes,omitempty" protobuf:"bytes,2,opt,name=onExitCodes"`
	OnPodConditions []PodFailurePolicyOnPodConditionsPattern `json:"onPodConditions,omitempty" protobuf:"bytes,3,rep,name=onPodConditions"`
}

// PodFailurePolicyAction is what happens when a PodFailurePolicyRule matches.
type PodFailurePolicyAction string

// Values of PodFailurePolicyAction.
const (
	PodFailurePolicyActionFailJob   PodFailurePolicyAction = "FailJob"
	PodFailurePolicyActionFailIndex PodFailurePolicyAction = "FailIndex"
	PodFailurePolicyActionIgnore    PodFailurePolicyAction = "Ignore"
	PodFailurePolicyActionCount     PodFailurePolicyAction = "Count"
)

// PodFailurePolicyOnExitCodesRequirement matches container exit codes.
type PodFailurePolicyOnExitCodesRequirement struct {
	ContainerName *string                             `json:"containerName,omitempty" protobuf:"bytes,1,opt,name=containerName"`
	Operator      PodFailurePolicyOnExitCodesOperator `json:"operator" protobuf:"bytes,2,opt,name=operator"`
	Values        []int32                             `json:"values" protobuf:"varint,3,rep,name=values"`
}

// PodFailurePolicyOnExitCodesOperator is the operator of an exit code requirement.
type PodFailurePolicyOnExitCodesOperator string

// Values of PodFailurePolicyOnExitCodesOperator.
const (
	PodFailurePolicyOnExitCodesOpIn    PodFailurePolicyOnExitCodesOperator = "In"
	PodFailurePolicyOnExitCodesOpNotIn PodFailurePolicyOnExitCodesOperator = "NotIn"
)

// PodFailurePolicyOnPodConditionsPattern matches a pod condition.
type PodFailurePolicyOnPodConditionsPattern struct {
	Type   core.PodConditionType `json:"type" protobuf:"bytes,1,opt,name=type"`
	Status core.ConditionStatus  `json:"status" protobuf:"bytes,2,opt,name=status"`
}

// SuccessPolicy declares a job succeeded before all completions are reached.
type SuccessPolicy struct {
	Rules []SuccessPolicyRule `json:"rules" protobuf:"bytes,1,rep,name=rules"`
}

// SuccessPolicyRule is one way for an indexed job to succeed early.
type SuccessPolicyRule struct {
	SucceededIndexes *string `json:"succeededIndexes,omitempty" protobuf:"bytes,1,opt,name=succeededIndexes"`
	SucceededCount   *int32  `json:"succeededCount,omitempty" protobuf:"varint,2,opt,name=succeededCount"`
}

// JobStatus is the observed state of a job.
type JobStatus struct {
	Conditions              []JobCondition           `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,1,rep,name=conditions"`
	StartTime               *meta.Time               `json:"startTime,omitempty" protobuf:"bytes,2,opt,name=startTime"`
	CompletionTime          *meta.Time               `json:"completionTime,omitempty" protobuf:"bytes,3,opt,name=completionTime"`
	Active                  int32                    `json:"active,omitempty" protobuf:"varint,4,opt,name=active"`
	Succeeded               int32                    `json:"succeeded,omitempty" protobuf:"varint,5,opt,name=succeeded"`
	Failed                  int32                    `json:"failed,omitempty" protobuf:"varint,6,opt,name=failed"`
	Terminating             *int32                   `json:"terminating,omitempty" protobuf:"varint,11,opt,name=terminating"`
	CompletedIndexes        string                   `json:"completedIndexes,omitempty" protobuf:"bytes,7,opt,name=completedIndexes"`
	FailedIndexes           *string                  `json:"failedIndexes,omitempty" protobuf:"bytes,10,opt,name=failedIndexes"`
	UncountedTerminatedPods *UncountedTerminatedPods `json:"uncountedTerminatedPods,omitempty" protobuf:"bytes,8,opt,name=uncountedTerminatedPods"`
	Ready                   *int32                   `json:"ready,omitempty" protobuf:"varint,9,opt,name=ready"`
}

// UncountedTerminatedPods holds the UIDs of finished pods not yet counted in the status.
type UncountedTerminatedPods struct {
	Succeeded []string `json:"succeeded,omitempty" protobuf:"bytes,1,rep,name=succeeded"`
	Failed    []string `json:"failed,omitempty" protobuf:"bytes,2,rep,name=failed"`
}

// JobConditionType names a condition of a job.
type JobConditionType string

// Values of JobConditionType.
const (
	JobSuspended          JobConditionType = "Suspended"
	JobComplete           JobConditionType = "Complete"
	JobFailed             JobConditionType = "Failed"
	JobFailureTarget      JobConditionType = "FailureTarget"
	JobSuccessCriteriaMet JobConditionType = "SuccessCriteriaMet"
)

// Reasons of job conditions.
const (
	JobReasonPodFailurePolicy         = "PodFailurePolicy"
	JobReasonBackoffLimitExceeded     = "BackoffLimitExceeded"
	JobReasonDeadlineExceeded         = "DeadlineExceeded"
	JobReasonMaxFailedIndexesExceeded = "MaxFailedIndexesExceeded"
	JobReasonFailedIndexes            = "FailedIndexes"
	JobReasonSuccessPolicy            = "SuccessPolicy"
	JobReasonCompletionsReached       = "CompletionsReached"
)

// JobCondition is one condition of a job.
type JobCondition struct {
	Type               JobConditionType     `json:"type" protobuf:"bytes,1,opt,name=type"`
	Status             core.ConditionStatus `json:"status" protobuf:"bytes,2,opt,name=status"`
	LastProbeTime      meta.Time            `json:"lastProbeTime,omitzero" protobuf:"bytes,3,opt,name=lastProbeTime"`
	LastTransitionTime meta.Time            `json:"lastTransitionTime,omitzero" protobuf:"bytes,4,opt,name=lastTransitionTime"`
	Reason             string               `json:"reason,omitempty" protobuf:"bytes,5,opt,name=reason"`
	Message            string               `json:"message,omitempty" protobuf:"bytes,6,opt,name=message"`
}

// Labels, annotations and finalizers of jobs and their pods.
const (
	JobNameLabel                   = "batch.kubernetes.io/job-name"
	ControllerUIDLabel             = "batch.kubernetes.io/controller-uid"
	LegacyJobNameLabel             = "job-name"
	LegacyControllerUIDLabel       = "controller-uid"
	JobCompletionIndexAnnotation   = "batch.kubernetes.io/job-completion-index"
	JobIndexFailureCountAnnotation = "batch.kubernetes.io/job-index-failure-count"
	JobTrackingFinalizer           = "batch.kubernetes.io/job-tracking"
)
