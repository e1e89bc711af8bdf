// Package registry holds the semantics of every served kind between HTTP and storage:
// create, update, patch, delete (graceful, with finalizers and preconditions), status and
// scale subresources, pod binding and eviction, namespace lifecycle, Service address and
// port allocation, defaulting, validation, generation and uid bookkeeping.
//
// It works on typed objects and returns errors as meta.Status values; it must never write
// HTTP responses (that is the handlers' job) nor talk to etcd except through a Store.
package registry
