// Package nodelifecycle is the node lifecycle controller: it watches nodes and their
// Leases (kube-node-lease/<node>) and, for a node whose kubelet has been silent (no Ready
// heartbeat and no Lease renewal) for longer than the grace period, sets every node
// condition to Unknown, taints the node node.kubernetes.io/unreachable:NoExecute, marks
// its pods not ready (so Endpoints drop them) and, after the eviction timeout or the
// pod's tolerationSeconds, deletes them so their controllers recreate them elsewhere. A
// node whose kubelet reports Ready=False gets node.kubernetes.io/not-ready:NoExecute
// instead; a node that reports Ready=True again is untainted.
//
// The decisions (is a node stale, what are its conditions and taints, when is a pod
// evicted, is the whole cluster down) are pure functions in health.go. The controller must
// never evict while every node is unhealthy at once (full disruption: a partitioned
// control plane is no reason to kill every pod), and never writes cached objects without
// copying them.
package nodelifecycle
