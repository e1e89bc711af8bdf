// Package defaults fills the fields the API server fills before it validates
// and stores an object: what upstream's defaulting functions for core/v1,
// apps/v1 and batch/v1 set (pkg/apis/*/v1/defaults.go and the declarative
// +default markers), plus the few server-side values kubectl users see in
// every object (a pod's priority and preemption policy, a service's IP
// families), so that `kubectl get -o yaml` shows what upstream shows.
//
// Default dispatches on the concrete kind; every function is idempotent and
// safe on any decoded value, however malformed (nil pointers, empty lists),
// because it runs before validation. The package never validates, never
// reads the clock, the network or storage, and never allocates anything
// that needs cluster state (cluster IPs, node ports, UIDs): those belong to
// the registry. GenerateJobSelector is the one registry-time helper here,
// because it is pure given the job's name and UID.
package defaults
