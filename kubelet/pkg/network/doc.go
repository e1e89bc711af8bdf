// Package network is the seam between the kubelet and pod networking: a Plugin sets up and
// tears down the network of a pod sandbox's namespace and reports the pod's addresses.
//
// Issue 8 (veth into cni0, flannel subnet) plugs in here. This package holds only the
// interface and the trivial plugins: Loopback (the namespace keeps only lo, no pod IP) and
// Fake (made-up addresses for hollow nodes). A plugin must never touch containers.
package network
