// Package describe produces `kubectl describe` text in upstream's layout (the PrefixWriter over a
// tabwriter with padding 2) for pods, replication controllers, replica sets, deployments,
// services, nodes, namespaces, endpoints, config maps and secrets, with a generic describer for
// every other kind, and the object's events at the bottom.
//
// Describers read through a small Reader interface so they can be tested with fakes; they never
// write to the server.
package describe
