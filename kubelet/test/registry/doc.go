// Package registry holds the kubelet's registry pull test: a real containerd started by
// the test (own root, state and socket, removed afterwards), the real kube-apiserver
// binary, an in-process kubelet on the containerd runtime and a local plain-HTTP registry
// (go-containerregistry's pkg/registry) on a free loopback port. It needs root and the
// containerd and runc binaries, and skips cleanly without them. No non-test code.
package registry
