// Package batch holds the batch/v1 API kinds: Job and its list and enum values.
//
// Field names, omitempty behaviour and strategic-merge-patch tags follow
// k8s.io/api/batch/v1. The package holds plain data only: it must never grow
// defaulting, validation or controller logic.
package batch

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "batch/v1"

// GroupName is the API group of this package.
const GroupName = "batch"
