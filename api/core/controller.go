package core

import "seven.dev/api/meta"

// ReplicationController keeps a number of pods matching a selector running.
type ReplicationController struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            ReplicationControllerSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status          ReplicationControllerStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// ReplicationControllerList is a list of replication controllers.
type ReplicationControllerList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []ReplicationController `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// ReplicationControllerSpec is the desired state of a replication controller.
type ReplicationControllerSpec struct {
	Replicas        *int32            `json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`
	MinReadySeconds int32             `json:"minReadySeconds,omitempty" protobuf:"varint,4,opt,name=minReadySeconds"`
	Selector        map[string]string `json:"selector,omitempty" protobuf:"bytes,2,rep,name=selector"`
	Template        *PodTemplateSpec  `json:"template,omitempty" protobuf:"bytes,3,opt,name=template"`
}

// ReplicationControllerStatus is the observed state of a replication controller.
type ReplicationControllerStatus struct {
	Replicas             int32                            `json:"replicas" protobuf:"varint,1,opt,name=replicas"`
	FullyLabeledReplicas int32                            `json:"fullyLabeledReplicas,omitempty" protobuf:"varint,2,opt,name=fullyLabeledReplicas"`
	ReadyReplicas        int32                            `json:"readyReplicas,omitempty" protobuf:"varint,4,opt,name=readyReplicas"`
	AvailableReplicas    int32                            `json:"availableReplicas,omitempty" protobuf:"varint,5,opt,name=availableReplicas"`
	ObservedGeneration   int64                            `json:"observedGeneration,omitempty" protobuf:"varint,3,opt,name=observedGeneration"`
	Conditions           []ReplicationControllerCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,6,rep,name=conditions"`
}

// ReplicationControllerConditionType names a condition of a replication controller.
type ReplicationControllerConditionType string

// ReplicationControllerReplicaFailure is set when pods could not be created or deleted.
const ReplicationControllerReplicaFailure ReplicationControllerConditionType = "ReplicaFailure"

// ReplicationControllerCondition is one condition of a replication controller.
type ReplicationControllerCondition struct {
	Type               ReplicationControllerConditionType `json:"type" protobuf:"bytes,1,opt,name=type"`
	Status             ConditionStatus                    `json:"status" protobuf:"bytes,2,opt,name=status"`
	LastTransitionTime meta.Time                          `json:"lastTransitionTime,omitzero" protobuf:"bytes,3,opt,name=lastTransitionTime"`
	Reason             string                             `json:"reason,omitempty" protobuf:"bytes,4,opt,name=reason"`
	Message            string                             `json:"message,omitempty" protobuf:"bytes,5,opt,name=message"`
}
