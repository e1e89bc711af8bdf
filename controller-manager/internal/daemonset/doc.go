// Package daemonset is the DaemonSet controller: one pod per eligible node (the
// template's nodeSelector and required node affinity match the node, and its taints are
// tolerated with upstream's default daemon tolerations added), created, as upstream does,
// without spec.nodeName but with a required node affinity on metadata.name so the
// scheduler binds it to that node; pods on nodes that stop being eligible are deleted;
// RollingUpdate (maxUnavailable, pods told apart by their controller-revision-hash label)
// and OnDelete updates; status counts like upstream's.
//
// Eligibility (nodes.go) and the per-sync plan with its status (decide.go) are pure
// functions. Not done: maxSurge (treated as 0), ControllerRevision history objects, the
// backoff upstream applies before recreating failed daemon pods. The controller must
// never act while its own creations or deletions are unobserved (Expectations).
package daemonset
