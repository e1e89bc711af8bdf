// Package autoscaling holds the autoscaling/v1 Scale kind, the body of the scale
// subresource of ReplicationControllers, Deployments and ReplicaSets.
//
// Field names and omitempty behaviour follow k8s.io/api/autoscaling/v1. The package
// holds plain data only.
package autoscaling

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "autoscaling/v1"

// GroupName is the API group of this package.
const GroupName = "autoscaling"
