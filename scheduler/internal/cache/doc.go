// Package cache keeps the scheduler's picture of the cluster: every node with the pods bound
// to it and the pods assumed on it while their bindings are in flight, so that a node is
// never offered twice for the same free capacity. It hands out immutable snapshots for the
// placement core.
//
// The cache must never talk to the API server, and never block for long: the scheduling loop
// and the informer handlers share its lock.
package cache
