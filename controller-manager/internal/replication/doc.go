// Package replication is the ReplicationController and ReplicaSet controller: it keeps
// exactly spec.replicas active pods matching an owner's selector, creating them from the
// template (generateName "<owner>-", a controlling ownerReference) and deleting the least
// valuable ones first, adopts matching orphans and releases pods that stop matching, and
// writes the owner's status.
//
// One Controller serves both kinds through a small Adapter. The decisions (which pods to
// delete, what the status says) are pure functions in rank.go and status.go. The package
// must never write to an object from the informer cache without copying it, and never act
// while its own creations or deletions are still unobserved (Expectations).
package replication
