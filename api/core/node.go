package core

import "seven.dev/api/meta"

// Node is a machine that runs pods.
type Node struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Spec            NodeSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status          NodeStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// NodeList is a list of nodes.
type NodeList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []Node `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// NodeSpec is the desired state of a node.
type NodeSpec struct {
	PodCIDR            string   `json:"podCIDR,omitempty" protobuf:"bytes,1,opt,name=podCIDR"`
	PodCIDRs           []string `json:"podCIDRs,omitempty" patchStrategy:"merge" protobuf:"bytes,7,rep,name=podCIDRs"`
	ProviderID         string   `json:"providerID,omitempty" protobuf:"bytes,3,opt,name=providerID"`
	Unschedulable      bool     `json:"unschedulable,omitempty" protobuf:"varint,4,opt,name=unschedulable"`
	Taints             []Taint  `json:"taints,omitempty" protobuf:"bytes,5,rep,name=taints"`
	DoNotUseExternalID string   `json:"externalID,omitempty" protobuf:"bytes,2,opt,name=externalID"`
}

// NodeStatus is the observed state of a node, reported by its kubelet.
type NodeStatus struct {
	Capacity        ResourceList         `json:"capacity,omitempty" protobuf:"bytes,1,rep,name=capacity"`
	Allocatable     ResourceList         `json:"allocatable,omitempty" protobuf:"bytes,2,rep,name=allocatable"`
	Phase           NodePhase            `json:"phase,omitempty" protobuf:"bytes,3,opt,name=phase"`
	Conditions      []NodeCondition      `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,4,rep,name=conditions"`
	Addresses       []NodeAddress        `json:"addresses,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,5,rep,name=addresses"`
	DaemonEndpoints NodeDaemonEndpoints  `json:"daemonEndpoints,omitempty" protobuf:"bytes,6,opt,name=daemonEndpoints"`
	NodeInfo        NodeSystemInfo       `json:"nodeInfo,omitempty" protobuf:"bytes,7,opt,name=nodeInfo"`
	Images          []ContainerImage     `json:"images,omitempty" protobuf:"bytes,8,rep,name=images"`
	VolumesInUse    []UniqueVolumeName   `json:"volumesInUse,omitempty" protobuf:"bytes,9,rep,name=volumesInUse"`
	VolumesAttached []AttachedVolume     `json:"volumesAttached,omitempty" protobuf:"bytes,10,rep,name=volumesAttached"`
	RuntimeHandlers []NodeRuntimeHandler `json:"runtimeHandlers,omitempty" protobuf:"bytes,12,rep,name=runtimeHandlers"`
	Features        *NodeFeatures        `json:"features,omitempty" protobuf:"bytes,13,opt,name=features"`
}

// NodePhase is the lifecycle phase of a node (no longer set by current kubelets).
type NodePhase string

// Values of NodePhase.
const (
	NodePending    NodePhase = "Pending"
	NodeRunning    NodePhase = "Running"
	NodeTerminated NodePhase = "Terminated"
)

// NodeConditionType names a condition of a node.
type NodeConditionType string

// Values of NodeConditionType.
const (
	NodeReady              NodeConditionType = "Ready"
	NodeMemoryPressure     NodeConditionType = "MemoryPressure"
	NodeDiskPressure       NodeConditionType = "DiskPressure"
	NodePIDPressure        NodeConditionType = "PIDPressure"
	NodeNetworkUnavailable NodeConditionType = "NetworkUnavailable"
)

// NodeCondition is one condition of a node.
type NodeCondition struct {
	Type               NodeConditionType `json:"type" protobuf:"bytes,1,opt,name=type"`
	Status             ConditionStatus   `json:"status" protobuf:"bytes,2,opt,name=status"`
	LastHeartbeatTime  meta.Time         `json:"lastHeartbeatTime,omitzero" protobuf:"bytes,3,opt,name=lastHeartbeatTime"`
	LastTransitionTime meta.Time         `json:"lastTransitionTime,omitzero" protobuf:"bytes,4,opt,name=lastTransitionTime"`
	Reason             string            `json:"reason,omitempty" protobuf:"bytes,5,opt,name=reason"`
	Message            string            `json:"message,omitempty" protobuf:"bytes,6,opt,name=message"`
}

// NodeAddress is one address of a node.
type NodeAddress struct {
	Type    NodeAddressType `json:"type" protobuf:"bytes,1,opt,name=type"`
	Address string          `json:"address" protobuf:"bytes,2,opt,name=address"`
}

// NodeAddressType is the kind of a node address.
type NodeAddressType string

// Values of NodeAddressType.
const (
	NodeHostName    NodeAddressType = "Hostname"
	NodeInternalIP  NodeAddressType = "InternalIP"
	NodeExternalIP  NodeAddressType = "ExternalIP"
	NodeInternalDNS NodeAddressType = "InternalDNS"
	NodeExternalDNS NodeAddressType = "ExternalDNS"
)

// NodeDaemonEndpoints are the ports of the daemons on a node.
type NodeDaemonEndpoints struct {
	KubeletEndpoint DaemonEndpoint `json:"kubeletEndpoint,omitempty" protobuf:"bytes,1,opt,name=kubeletEndpoint"`
}

// DaemonEndpoint is one daemon port. The capitalised JSON name is upstream's.
type DaemonEndpoint struct {
	Port int32 `json:"Port" protobuf:"varint,1,opt,name=Port"`
}

// NodeSystemInfo describes the software of a node.
type NodeSystemInfo struct {
	MachineID               string          `json:"machineID" protobuf:"bytes,1,opt,name=machineID"`
	SystemUUID              string          `json:"systemUUID" protobuf:"bytes,2,opt,name=systemUUID"`
	BootID                  string          `json:"bootID" protobuf:"bytes,3,opt,name=bootID"`
	KernelVersion           string          `json:"kernelVersion" protobuf:"bytes,4,opt,name=kernelVersion"`
	OSImage                 string          `json:"osImage" protobuf:"bytes,5,opt,name=osImage"`
	ContainerRuntimeVersion string          `json:"containerRuntimeVersion" protobuf:"bytes,6,opt,name=containerRuntimeVersion"`
	KubeletVersion          string          `json:"kubeletVersion" protobuf:"bytes,7,opt,name=kubeletVersion"`
	KubeProxyVersion        string          `json:"kubeProxyVersion" protobuf:"bytes,8,opt,name=kubeProxyVersion"`
	OperatingSystem         string          `json:"operatingSystem" protobuf:"bytes,9,opt,name=operatingSystem"`
	Architecture            string          `json:"architecture" protobuf:"bytes,10,opt,name=architecture"`
	Swap                    *NodeSwapStatus `json:"swap,omitempty" protobuf:"bytes,11,opt,name=swap"`
}

// NodeSwapStatus describes the swap memory of a node.
type NodeSwapStatus struct {
	Capacity *int64 `json:"capacity,omitempty" protobuf:"varint,1,opt,name=capacity"`
}

// ContainerImage is an image present on a node.
type ContainerImage struct {
	Names     []string `json:"names" protobuf:"bytes,1,rep,name=names"`
	SizeBytes int64    `json:"sizeBytes,omitempty" protobuf:"varint,2,opt,name=sizeBytes"`
}

// UniqueVolumeName identifies a volume attached to a node.
type UniqueVolumeName string

// AttachedVolume is a volume attached to a node.
type AttachedVolume struct {
	Name       UniqueVolumeName `json:"name" protobuf:"bytes,1,opt,name=name"`
	DevicePath string           `json:"devicePath" protobuf:"bytes,2,opt,name=devicePath"`
}

// NodeRuntimeHandler is a runtime handler a node offers.
type NodeRuntimeHandler struct {
	Name     string                      `json:"name" protobuf:"bytes,1,opt,name=name"`
	Features *NodeRuntimeHandlerFeatures `json:"features,omitempty" protobuf:"bytes,2,opt,name=features"`
}

// NodeRuntimeHandlerFeatures lists what a runtime handler supports.
type NodeRuntimeHandlerFeatures struct {
	RecursiveReadOnlyMounts *bool `json:"recursiveReadOnlyMounts,omitempty" protobuf:"varint,1,opt,name=recursiveReadOnlyMounts"`
	UserNamespaces          *bool `json:"userNamespaces,omitempty" protobuf:"varint,2,opt,name=userNamespaces"`
}

// NodeFeatures lists node-level features the kubelet supports.
type NodeFeatures struct {
	SupplementalGroupsPolicy *bool `json:"supplementalGroupsPolicy,omitempty" protobuf:"varint,1,opt,name=supplementalGroupsPolicy"`
}
