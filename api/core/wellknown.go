package core

// Well-known node labels.
const (
	LabelHostname             = "kubernetes.io/hostname"
	LabelOSStable             = "kubernetes.io/os"
	LabelArchStable           = "kubernetes.io/arch"
	LabelTopologyZone         = "topology.kubernetes.io/zone"
	LabelTopologyRegion       = "topology.kubernetes.io/region"
	LabelInstanceTypeStable   = "node.kubernetes.io/instance-type"
	LabelNodeExcludeBalancers = "node.kubernetes.io/exclude-from-external-load-balancers"
	LabelMetadataName         = "kubernetes.io/metadata.name"
	LabelServiceProxyName     = "service.kubernetes.io/service-proxy-name"
	LabelNodeRolePrefix       = "node-role.kubernetes.io/"
)

// Taints the node controller and kubelet put on nodes.
const (
	TaintNodeNotReady           = "node.kubernetes.io/not-ready"
	TaintNodeUnreachable        = "node.kubernetes.io/unreachable"
	TaintNodeUnschedulable      = "node.kubernetes.io/unschedulable"
	TaintNodeMemoryPressure     = "node.kubernetes.io/memory-pressure"
	TaintNodeDiskPressure       = "node.kubernetes.io/disk-pressure"
	TaintNodePIDPressure        = "node.kubernetes.io/pid-pressure"
	TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable"
	TaintNodeOutOfService       = "node.kubernetes.io/out-of-service"
)

// Well-known annotations.
const (
	// MirrorPodAnnotationKey marks a pod the kubelet mirrors from a static manifest.
	MirrorPodAnnotationKey = "kubernetes.io/config.mirror"
	// LastAppliedConfigAnnotation is where kubectl apply keeps the last applied object.
	LastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
	// EndpointsLastChangeTriggerTime records when the change behind an Endpoints update happened.
	EndpointsLastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time"
	// EndpointsOverCapacity is set on Endpoints truncated to 1000 addresses.
	EndpointsOverCapacity = "endpoints.kubernetes.io/over-capacity"
)
