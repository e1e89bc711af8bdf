// Package leaderintegration runs the client machinery that needs an API server to be
// believed (leader election on Lease objects, the events recorder) against a real
// kube-apiserver on an embedded etcd, in-process, in real time.
package leaderintegration
