package core

import (
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

// ResourceName names a compute resource or a quota-tracked count.
type ResourceName string

// ResourceList maps resource names to quantities (requests, limits, capacity, quota).
type ResourceList map[ResourceName]resource.Quantity

// Compute resources.
const (
	ResourceCPU              ResourceName = "cpu"
	ResourceMemory           ResourceName = "memory"
	ResourceStorage          ResourceName = "storage"
	ResourceEphemeralStorage ResourceName = "ephemeral-storage"
	ResourcePods             ResourceName = "pods"
)

// Prefixes of resource names.
const (
	ResourceHugePagesPrefix        = "hugepages-"
	ResourceRequestsPrefix         = "requests."
	ResourceLimitsPrefix           = "limits."
	ResourceDefaultNamespacePrefix = "kubernetes.io/"
)

// Resource names that quotas track.
const (
	ResourceServices                 ResourceName = "services"
	ResourceReplicationControllers   ResourceName = "replicationcontrollers"
	ResourceQuotas                   ResourceName = "resourcequotas"
	ResourceSecrets                  ResourceName = "secrets"
	ResourceConfigMaps               ResourceName = "configmaps"
	ResourcePersistentVolumeClaims   ResourceName = "persistentvolumeclaims"
	ResourceServicesNodePorts        ResourceName = "services.nodeports"
	ResourceServicesLoadBalancers    ResourceName = "services.loadbalancers"
	ResourceRequestsCPU              ResourceName = "requests.cpu"
	ResourceRequestsMemory           ResourceName = "requests.memory"
	ResourceRequestsStorage          ResourceName = "requests.storage"
	ResourceRequestsEphemeralStorage ResourceName = "requests.ephemeral-storage"
	ResourceLimitsCPU                ResourceName = "limits.cpu"
	ResourceLimitsMemory             ResourceName = "limits.memory"
	ResourceLimitsEphemeralStorage   ResourceName = "limits.ephemeral-storage"
)

// LimitRange sets per-object resource bounds and defaults in a namespace.
type LimitRange struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            LimitRangeSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
}

// LimitRangeList is a list of limit ranges.
type LimitRangeList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []LimitRange `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// LimitRangeSpec lists the limits of a LimitRange.
type LimitRangeSpec struct {
	Limits []LimitRangeItem `json:"limits" protobuf:"bytes,1,rep,name=limits"`
}

// LimitRangeItem bounds and defaults the resources of one kind of object.
type LimitRangeItem struct {
	Type                 LimitType    `json:"type" protobuf:"bytes,1,opt,name=type"`
	Max                  ResourceList `json:"max,omitempty" protobuf:"bytes,2,rep,name=max"`
	Min                  ResourceList `json:"min,omitempty" protobuf:"bytes,3,rep,name=min"`
	Default              ResourceList `json:"default,omitempty" protobuf:"bytes,4,rep,name=default"`
	DefaultRequest       ResourceList `json:"defaultRequest,omitempty" protobuf:"bytes,5,rep,name=defaultRequest"`
	MaxLimitRequestRatio ResourceList `json:"maxLimitRequestRatio,omitempty" protobuf:"bytes,6,rep,name=maxLimitRequestRatio"`
}

// LimitType is the kind of object a LimitRangeItem applies to.
type LimitType string

// Values of LimitType.
const (
	LimitTypePod                   LimitType = "Pod"
	LimitTypeContainer             LimitType = "Container"
	LimitTypePersistentVolumeClaim LimitType = "PersistentVolumeClaim"
)

// ResourceQuota caps the total resource use of a namespace.
type ResourceQuota struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            ResourceQuotaSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status          ResourceQuotaStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// ResourceQuotaList is a list of resource quotas.
type ResourceQuotaList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []ResourceQuota `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// ResourceQuotaSpec is the desired caps of a quota and the objects they apply to.
type ResourceQuotaSpec struct {
	Hard          ResourceList         `json:"hard,omitempty" protobuf:"bytes,1,rep,name=hard"`
	Scopes        []ResourceQuotaScope `json:"scopes,omitempty" protobuf:"bytes,2,rep,name=scopes"`
	ScopeSelector *ScopeSelector       `json:"scopeSelector,omitempty" protobuf:"bytes,3,opt,name=scopeSelector"`
}

// ResourceQuotaStatus is the enforced caps and current usage of a quota.
type ResourceQuotaStatus struct {
	Hard ResourceList `json:"hard,omitempty" protobuf:"bytes,1,rep,name=hard"`
	Used ResourceList `json:"used,omitempty" protobuf:"bytes,2,rep,name=used"`
}

// ResourceQuotaScope restricts the objects a quota counts.
type ResourceQuotaScope string

// Values of ResourceQuotaScope.
const (
	ResourceQuotaScopeTerminating               ResourceQuotaScope = "Terminating"
	ResourceQuotaScopeNotTerminating            ResourceQuotaScope = "NotTerminating"
	ResourceQuotaScopeBestEffort                ResourceQuotaScope = "BestEffort"
	ResourceQuotaScopeNotBestEffort             ResourceQuotaScope = "NotBestEffort"
	ResourceQuotaScopePriorityClass             ResourceQuotaScope = "PriorityClass"
	ResourceQuotaScopeCrossNamespacePodAffinity ResourceQuotaScope = "CrossNamespacePodAffinity"
)

// ScopeSelector selects quota scopes with set-based requirements.
type ScopeSelector struct {
	MatchExpressions []ScopedResourceSelectorRequirement `json:"matchExpressions,omitempty" protobuf:"bytes,1,rep,name=matchExpressions"`
}

// ScopedResourceSelectorRequirement is one requirement of a ScopeSelector.
type ScopedResourceSelectorRequirement struct {
	ScopeName ResourceQuotaScope    `json:"scopeName" protobuf:"bytes,1,opt,name=scopeName"`
	Operator  ScopeSelectorOperator `json:"operator" protobuf:"bytes,2,opt,name=operator"`
	Values    []string              `json:"values,omitempty" protobuf:"bytes,3,rep,name=values"`
}

// ScopeSelectorOperator is the operator of a ScopedResourceSelectorRequirement.
type ScopeSelectorOperator string

// Values of ScopeSelectorOperator.
const (
	ScopeSelectorOpIn           ScopeSelectorOperator = "In"
	ScopeSelectorOpNotIn        ScopeSelectorOperator = "NotIn"
	ScopeSelectorOpExists       ScopeSelectorOperator = "Exists"
	ScopeSelectorOpDoesNotExist ScopeSelectorOperator = "DoesNotExist"
)
