// Package container defines what the kubelet needs from a container runtime: a small
// Runtime interface over pod sandboxes and containers, and the plain records it returns.
//
// The kubelet's pod workers decide what to run (restart policies, back-off, ordering);
// a Runtime only does what it is told and reports what exists. Implementations: the
// containerd one (seven.dev/kubelet/pkg/containerdrt) and the hollow one
// (seven.dev/kubelet/pkg/fakeruntime). A Runtime must never talk to the API server and
// never decide on its own to restart anything.
package container
