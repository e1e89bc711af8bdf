// Package coordination holds the coordination.k8s.io/v1 Lease kind, used for node
// heartbeats and leader election.
//
// Field names and omitempty behaviour follow k8s.io/api/coordination/v1. The package
// holds plain data only: leader election itself lives elsewhere.
package coordination

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "coordination.k8s.io/v1"

// GroupName is the API group of this package.
const GroupName = "coordination.k8s.io"
