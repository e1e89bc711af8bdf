// Package integration runs kube-apiserver in-process on an embedded etcd and checks the
// API from the outside, over HTTP, the way clients see it.
package integration
