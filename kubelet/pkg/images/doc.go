// Package images builds container images offline from files on this machine: Debian's
// static busybox, our own static Go binaries (the pause sandbox, the guestbook frontend,
// the test server) and host binaries with the shared libraries ldd names (redis-server,
// redis-cli). Catalog makes the whole set under the references containerd resolves the
// seeds' manifests to; WriteGroups writes docker-archive tarballs that
// `kubelet --image-preload-dir` imports; Push writes them to a registry (e.g. the local
// one cmd/seven-images serves with go-containerregistry's pkg/registry).
//
// It never downloads anything.
package images
