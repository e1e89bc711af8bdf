// Package namespace is the namespace controller: when a namespace is being deleted
// (phase Terminating, the "kubernetes" finalizer in spec.finalizers) it deletes every
// namespaced object in it, kind by kind from the scheme, waits until nothing is left, then
// finalizes the namespace so the API server removes it.
//
// It must never finalize a namespace that still holds objects.
package namespace
