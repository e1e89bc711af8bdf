// Package resource implements Quantity, the fixed-point number with a unit
// suffix that the Kubernetes API uses for CPU, memory, storage and every other
// countable resource ("500m", "128Mi", "1Gi", "1e3").
//
// The package follows upstream's k8s.io/apimachinery/pkg/api/resource
// semantics exactly where they are visible on the wire: which strings parse,
// the error messages, the canonical form that String and MarshalJSON produce,
// the rule that a string which was already canonical is echoed byte for byte,
// and the rounding of sub-nano values away from zero. Clients such as kubectl
// compare these strings, so any divergence is a bug.
//
// Arithmetic is exact (math/big); the package must never represent a quantity
// as a float, and must never mutate a *big.Int after it has been stored in a
// Quantity, so that a Quantity can be copied by value (it lives in maps such as
// map[ResourceName]Quantity) without aliasing surprises.
package resource
