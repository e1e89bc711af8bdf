// Package cluster starts and stops a real multi-node Seven cluster on one machine, the way
// DESIGN section 6 describes: the control plane (kube-apiserver with embedded etcd,
// kube-scheduler, kube-controller-manager, one containerd) in the root network namespace,
// and every node a network namespace on an underlay bridge running flanneld, kubelet and
// kube-proxy. `make up` (through e2e/cmd/seven-cluster) and the e2e tests both use it.
//
// Everything a cluster creates is named from its Config.Prefix and recorded, as soon as it
// exists, in a state file in Config.Dir, so a test cluster and a `make up` cluster can run
// side by side and Down (or the next Up) removes exactly what was created even after a crash.
//
// What it must never do: signal a process it did not start (processes are stopped by the
// recorded PID, checked against the recorded start time), touch a namespace, link or
// iptables rule that does not carry its prefix, or send traffic anywhere but loopback and
// the addresses of its own bridge and namespaces.
package cluster
