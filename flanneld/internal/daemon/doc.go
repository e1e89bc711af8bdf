// Package daemon is flanneld: it waits for the network config in etcd, has the backend create
// its device, acquires (or takes back) the node's subnet lease, writes the subnet file,
// installs the -ip-masq rules, and then keeps the lease renewed and the routes to every
// other node's subnet in step with etcd until its context ends. It serves /healthz and
// /metrics.
//
// Stopping keeps the lease, the device, the routes and the masquerade rules, as flannel does,
// so pods keep their addresses and connectivity while flanneld restarts and a restart gets
// the same subnet back.
package daemon
