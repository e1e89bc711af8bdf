// Package placement is the scheduler's pure core: given one pending pod and a snapshot of the
// nodes (with the pods bound or assumed on them), it decides where the pod goes, or says why it
// fits nowhere, in upstream kube-scheduler's words.
//
// Placement is a pipeline in the manner of kube-scheduler's framework and nomad's scheduler:
// named filters reject nodes with upstream's reason strings ("Insufficient cpu", "node(s) didn't
// match Pod's node affinity/selector", ...), named scores rank the nodes that pass on 0-100, a
// weighted sum picks the best, and ties are broken by a random source the caller seeds, so a
// decision can be replayed from its inputs.
//
// The package must never do I/O, read the clock or keep package-level mutable state; it must
// never modify the pods and nodes it is given. Everything it needs comes in through Input.
package placement
