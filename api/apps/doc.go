// Package apps holds the apps/v1 API kinds: Deployment, ReplicaSet, DaemonSet and
// ControllerRevision, with their lists and enum values.
//
// Field names, omitempty behaviour and strategic-merge-patch tags follow
// k8s.io/api/apps/v1. The package holds plain data only: it must never grow
// defaulting, validation or controller logic.
package apps

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "apps/v1"

// GroupName is the API group of this package.
const GroupName = "apps"
