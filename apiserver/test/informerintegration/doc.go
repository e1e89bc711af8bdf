// Package informerintegration runs the informers of seven.dev/api/informer against a real
// kube-apiserver on an embedded etcd: across an API server restart, across a watch window
// that expired (410), and under thousands of concurrent writes, each time checking that the
// cache and what the handlers were told end up exactly equal to a fresh list.
package informerintegration
