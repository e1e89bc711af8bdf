// Package node holds the kubelet's node tests: a real containerd started by the test (own
// root, state and socket, removed afterwards), the real kube-apiserver binary and an
// in-process kubelet on the containerd runtime. They need root and the containerd and runc
// binaries, and skip cleanly without them. The package has no non-test code.
package node
