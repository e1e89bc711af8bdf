// Package netns creates and removes the named network namespaces of pods: a namespace is
// made by a throw-away OS thread and kept alive by bind-mounting it onto a file, so it
// outlives the thread and can be handed to runc by path.
//
// It never switches the namespace of a thread it does not own: the thread that unshares
// is locked and discarded (its goroutine exits without unlocking), so no goroutine of the
// kubelet ever runs in a pod's namespace, and namespaces are created from within the
// namespace the kubelet itself runs in.
package netns
