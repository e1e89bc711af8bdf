// Package gc is the garbage collector: it deletes objects whose owners are all gone
// (Background propagation), deletes the dependents of an owner held by the
// "foregroundDeletion" finalizer and removes the finalizer once the blocking ones are gone
// (Foreground), and strips the owner reference from the dependents of an owner held by
// the "orphan" finalizer before removing it (Orphan).
//
// It watches a fixed set of kinds (the ones that carry owner references in practice:
// pods, replica sets, deployments, replication controllers, daemon sets, jobs), keeps
// an owner-UID index on each, and confirms an owner's absence with a live read before
// acting, since one kind's cache may lag another's. Decisions are in the pure function
// Classify.
package gc
