// Package subnet hands each node one subnet of the overlay network and keeps the cluster's
// list of them, in etcd, the way flannel does: a lease per node at
// <prefix>/subnets/<a.b.c.d-len> holding the node's public IP and backend data, bound to an
// etcd lease (24 h by default) that the node renews.
//
// Choosing a subnet (Choose) is a pure function of the config and the existing leases; the
// Manager wraps it with etcd transactions so two nodes can never hold the same subnet, and
// WatchLeases turns etcd's watch into added/removed events, resuming after disconnects and
// relisting after compaction.
//
// This package never touches the kernel: programming routes is the backends' job.
package subnet
