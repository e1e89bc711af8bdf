// Package kubelet is the node agent: it registers its Node, heartbeats (a Lease in
// kube-node-lease every 10 s and the node's status every --node-status-update-frequency),
// watches the pods bound to its node and runs one worker per pod that drives a
// container.Runtime towards the pod's spec (sandbox, init containers in order, containers,
// restart policies with CrashLoopBackOff, image pull back-off, graceful termination) and
// reports the truth about the pod through the status subresource.
//
// The same code runs real nodes (containerd runtime) and hollow ones (fake runtime, see
// seven.dev/kubelet/pkg/hollow). The kubelet never schedules, never changes a pod's spec,
// and deletes a pod object only once its containers are gone (with grace 0, as upstream).
package kubelet
