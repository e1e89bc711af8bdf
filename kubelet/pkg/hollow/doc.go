// Package hollow runs hollow kubelets, the way upstream's kubemark does: real kubelet code
// (registration, Lease and status heartbeats, pod workers, status updates) over the fake
// runtime and fake network, so that pods bound to a hollow node report Running and Ready
// at once with a made-up IP and nothing is started on the machine.
//
// The scheduler's and controller-manager's tests and benchmarks use RunHollowNodes:
//
//	stop, err := hollow.RunHollowNodes(ctx, c, 1000, hollow.Options{})
//	defer stop()
//
// Nodes are named "hollow-node-<i>" (Options.Prefix changes the prefix) and have 4 cpu,
// 32Gi memory and 110 pods of capacity unless Options.Capacity says otherwise.
// It must never start a process or touch the machine's network.
package hollow
