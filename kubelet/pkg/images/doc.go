// Package images builds container images offline from files on this machine: Debian's
// static busybox, our own static Go binaries (the pause sandbox), and host binaries with
// the shared libraries ldd names (redis-server). It writes docker-archive tarballs that
// `kubelet --image-preload-dir` imports and can push to a registry (e.g. the local one
// cmd/seven-images serves with go-containerregistry's pkg/registry).
//
// It never downloads anything.
package images
