// Package network is the seam between the kubelet and pod networking: a Plugin creates a
// pod's network (namespace, addresses, rules) before its sandbox starts and tears it down
// after, and reports the pod's addresses.
//
// This package holds the interface and the trivial plugins: Loopback (the runtime's own
// namespace with only lo, no pod IP) and Fake (made-up addresses for hollow nodes). The real
// one, veth pairs into the cni0 bridge, is package bridge. A plugin must never touch
// containers.
package network
