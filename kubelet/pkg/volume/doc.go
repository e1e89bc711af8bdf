// Package volume makes a pod's volumes on the node, under <root>/pods/<uid>/volumes, and
// turns a container's volumeMounts into bind mounts: emptyDir (a directory, or tmpfs for
// medium Memory), hostPath, and the projected kinds configMap, secret (on tmpfs) and
// downwardAPI, written atomically the way upstream does (a ..data symlink swapped to a new
// timestamped directory), so an update is never seen half-done and is visible in running
// containers.
//
// It never mounts into containers itself (the runtime does, from the mounts it returns) and
// never removes anything outside a pod's own volumes directory.
package volume
