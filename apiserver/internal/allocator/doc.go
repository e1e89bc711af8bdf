// Package allocator hands out Service ClusterIPs (from --service-cluster-ip-range) and
// NodePorts (from --service-node-port-range), recorded in etcd so that any number of API
// servers sharing one etcd never give the same address or port to two Services.
//
// It has two parts. CIDRRange and PortRange are pure: they parse the flags and number the
// items of a range by offset. Allocator keeps one etcd key per allocated item,
// <prefix>/<item> (ServiceIPsPrefix, ServiceNodePortsPrefix), whose value is
// {"owner":"<namespace>/<name>","time":"..."}; an item is taken by a transaction that
// creates its key only if the key does not exist, and freed by deleting it. There is no
// in-memory bitmap to fall out of date and nothing to lock between API servers.
//
// Allocation happens before the Service is stored, so a server that dies in between leaks
// an allocation; Repair, run by the server at start and periodically with the Services it
// lists, reclaims such leaks and records allocations that are missing.
//
// The package must never import the storage, registry or HTTP packages: it knows items and
// owners, not Services. Callers reserve the first address of the service range (10.254.0.1
// in 10.254.0.0/16) by allocating it for default/kubernetes before serving; this package
// does not treat it specially.
package allocator
