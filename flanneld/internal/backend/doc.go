// Package backend defines what an overlay backend does for flanneld — create the node's
// device, publish what other nodes need to reach it, and program the routes to every other
// node's subnet — and a Registry of the implementations (vxlan, hostgw, in sub-packages).
//
// Backends own the kernel state they program and nothing else: they never talk to etcd, and
// the daemon never touches links or routes itself.
package backend
