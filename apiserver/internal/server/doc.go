// Package server assembles kube-apiserver: etcd (embedded or external), one store per
// kind, the registry, allocators, HTTP routes (the metrics.k8s.io API among them),
// metrics, health checks, the bootstrap objects (system namespaces and the kubernetes
// Service), periodic compaction and allocation repair, and graceful shutdown.
//
// It is wiring only: object semantics live in registry, HTTP detail in handlers.
package server
