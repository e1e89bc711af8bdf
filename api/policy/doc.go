// Package policy holds the policy/v1 Eviction kind, the body POSTed to a pod's
// eviction subresource.
//
// Field names and omitempty behaviour follow k8s.io/api/policy/v1. The package holds
// plain data only.
package policy

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "policy/v1"

// GroupName is the API group of this package.
const GroupName = "policy"
