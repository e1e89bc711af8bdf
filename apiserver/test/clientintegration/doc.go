// Package clientintegration drives a real kube-apiserver (in-process, on an embedded etcd)
// through seven.dev/api/client, the way every daemon and kubectl will: typed CRUD, error
// predicates, watches with their 410s, and the binding, scale and eviction subresources.
package clientintegration
