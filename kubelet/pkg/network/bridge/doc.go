// Package bridge is the kubelet's pod network, what upstream gets from the CNI bridge,
// host-local and portmap plugins with flannel: every pod gets a network namespace of its
// own, a veth pair into the node bridge cni0 (made if missing, with the gateway at the
// first address of the node's subnet), an address from host-local IPAM persisted on disk,
// a default route, masquerade of traffic leaving the cluster network and DNAT rules for
// its hostPorts.
//
// It works in whatever network namespace the kubelet runs in (a node may be a namespace,
// DESIGN section 6): links are made with netlink handles opened in the pod's namespace, and
// no goroutine ever switches its own thread's namespace. iptables rule text is built by
// pure functions (rules.go) and applied with iptables-restore in one transaction.
//
// It never touches containers, and TearDown leaves nothing behind: link, address, rules
// and namespace file all go.
package bridge
