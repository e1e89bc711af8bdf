// Package core holds the core/v1 API kinds (the legacy group served under /api/v1):
// Namespace, Pod, Binding, Node, Service, Endpoints, ReplicationController, Event,
// ConfigMap, Secret, ServiceAccount, LimitRange, ResourceQuota and PodTemplate, with
// their lists, enum values and well-known labels.
//
// Field names, omitempty behaviour and strategic-merge-patch tags (patchStrategy,
// patchMergeKey) follow k8s.io/api/core/v1, because clients compare bytes and the
// patch engine reads the tags. As in upstream, a struct-valued field tagged
// omitempty is always written ("resources": {}, "status": {}). The only fields
// tagged omitzero are metadata and the meta.Time/MicroTime values upstream writes
// as null when unset: Seven omits those instead. The package holds plain data only: it must never
// grow defaulting, validation or I/O, which live in packages of their own.
package core

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "v1"

// Namespaces every cluster has.
const (
	NamespaceDefault   = "default"
	NamespaceAll       = ""
	NamespaceSystem    = "kube-system"
	NamespacePublic    = "kube-public"
	NamespaceNodeLease = "kube-node-lease"
)
