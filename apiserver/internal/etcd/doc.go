// Package etcd connects the API server to etcd: it starts an embedded etcd member for the
// single-machine case, builds clients for external clusters, and compacts old history.
//
// It knows nothing about API objects or keys under /registry; that is the storage package's
// business. It must never hold package-level state: every Embedded, client and compactor is
// owned by its caller and stopped by it (Close, or cancelling the context).
package etcd
