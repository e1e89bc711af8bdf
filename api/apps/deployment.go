package apps

import (
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/meta"
)

// Deployment rolls out a pod template through ReplicaSets.
type Deployment struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            DeploymentSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status          DeploymentStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// DeploymentList is a list of deployments.
type DeploymentList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []Deployment `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// DeploymentSpec is the desired state of a deployment.
type DeploymentSpec struct {
	Replicas                *int32               `json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`
	Selector                *meta.LabelSelector  `json:"selector" protobuf:"bytes,2,opt,name=selector"`
	Template                core.PodTemplateSpec `json:"template" protobuf:"bytes,3,opt,name=template"`
	Strategy                DeploymentStrategy   `json:"strategy,omitempty" patchStrategy:"retainKeys" protobuf:"bytes,4,opt,name=strategy"`
	MinReadySeconds         int32                `json:"minReadySeconds,omitempty" protobuf:"varint,5,opt,name=minReadySeconds"`
	RevisionHistoryLimit    *int32               `json:"revisionHistoryLimit,omitempty" protobuf:"varint,6,opt,name=revisionHistoryLimit"`
	Paused                  bool                 `json:"paused,omitempty" protobuf:"varint,7,opt,name=paused"`
	ProgressDeadlineSeconds *int32               `json:"progressDeadlineSeconds,omitempty" protobuf:"varint,9,opt,name=progressDeadlineSeconds"`
}

// DeploymentStrategy says how old pods are replaced by new ones.
type DeploymentStrategy struct {
	Type          DeploymentStrategyType   `json:"type,omitempty" protobuf:"bytes,1,opt,name=type"`
	RollingUpdate *RollingUpdateDeployment `json:"rollingUpdate,omitempty" protobuf:"bytes,2,opt,name=rollingUpdate"`
}

// DeploymentStrategyType is the kind of a deployment strategy.
type DeploymentStrategyType string

// Values of DeploymentStrategyType.
const (
	RecreateDeploymentStrategyType      DeploymentStrategyType = "Recreate"
	RollingUpdateDeploymentStrategyType DeploymentStrategyType = "RollingUpdate"
)

// RollingUpdateDeployment bounds a rolling update; each is a count or a percentage.
type RollingUpdateDeployment struct {
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty" protobuf:"bytes,1,opt,name=maxUnavailable"`
	MaxSurge       *intstr.IntOrString `json:"maxSurge,omitempty" protobuf:"bytes,2,opt,name=maxSurge"`
}

// DeploymentStatus is the observed state of a deployment.
type DeploymentStatus struct {
	ObservedGeneration  int64                 `json:"observedGeneration,omitempty" protobuf:"varint,1,opt,name=observedGeneration"`
	Replicas            int32                 `json:"replicas,omitempty" protobuf:"varint,2,opt,name=replicas"`
	UpdatedReplicas     int32                 `json:"updatedReplicas,omitempty" protobuf:"varint,3,opt,name=updatedReplicas"`
	ReadyReplicas       int32                 `json:"readyReplicas,omitempty" protobuf:"varint,7,opt,name=readyReplicas"`
	AvailableReplicas   int32                 `json:"availableReplicas,omitempty" protobuf:"varint,4,opt,name=availableReplicas"`
	UnavailableReplicas int32                 `json:"unavailableReplicas,omitempty" protobuf:"varint,5,opt,name=unavailableReplicas"`
	Conditions          []DeploymentCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,6,rep,name=conditions"`
	CollisionCount      *int32                `json:"collisionCount,omitempty" protobuf:"varint,8,opt,name=collisionCount"`
}

// DeploymentConditionType names a condition of a deployment.
type DeploymentConditionType string

// Values of DeploymentConditionType.
const (
	DeploymentAvailable      DeploymentConditionType = "Available"
	DeploymentProgressing    DeploymentConditionType = "Progressing"
	DeploymentReplicaFailure DeploymentConditionType = "ReplicaFailure"
)

// DeploymentCondition is one condition of a deployment.
type DeploymentCondition struct {
	Type               DeploymentConditionType `json:"type" protobuf:"bytes,1,opt,name=type"`
	Status             core.ConditionStatus    `json:"status" protobuf:"bytes,2,opt,name=status"`
	LastUpdateTime     meta.Time               `json:"lastUpdateTime,omitzero" protobuf:"bytes,6,opt,name=lastUpdateTime"`
	LastTransitionTime meta.Time               `json:"lastTransitionTime,omitzero" protobuf:"bytes,7,opt,name=lastTransitionTime"`
	Reason             string                  `json:"reason,omitempty" protobuf:"bytes,4,opt,name=reason"`
	Message            string                  `json:"message,omitempty" protobuf:"bytes,5,opt,name=message"`
}

// Labels and annotations the workload controllers set.
const (
	// DefaultDeploymentUniqueLabelKey is the label that tells a deployment's ReplicaSets apart.
	DefaultDeploymentUniqueLabelKey = "pod-template-hash"
	// ControllerRevisionHashLabelKey labels DaemonSet pods with their template revision.
	ControllerRevisionHashLabelKey = "controller-revision-hash"
	// DeprecatedRollbackTo is the annotation of the removed rollback API.
	DeprecatedRollbackTo = "deprecated.deployment.rollback.to"
	// DeprecatedTemplateGeneration is the annotation DaemonSets once used for templates.
	DeprecatedTemplateGeneration = "deprecated.daemonset.template.generation"
	// RevisionAnnotation holds the rollout revision of a deployment and its ReplicaSets
	// (upstream keeps it in the deployment controller's utilities).
	RevisionAnnotation = "deployment.kubernetes.io/revision"
	// RevisionHistoryAnnotation lists earlier revisions a ReplicaSet served.
	RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
	// DesiredReplicasAnnotation records the deployment's replicas on each ReplicaSet.
	DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	// MaxReplicasAnnotation records replicas plus maxSurge on each ReplicaSet.
	MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
	// ChangeCauseAnnotation records the command that caused a rollout (kubectl rollout history).
	ChangeCauseAnnotation = "kubernetes.io/change-cause"
)
