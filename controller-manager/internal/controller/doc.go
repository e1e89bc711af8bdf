// Package controller is the shared shape of every reconciler in kube-controller-manager:
// a Runner that feeds keys from a rate-limited workqueue to one idempotent sync function,
// upstream-style expectations (so a controller never double-creates while its own writes are
// still in flight), owner-reference helpers and a deep copy for cached objects.
//
// It must never know about any particular kind's reconcile logic, and it keeps no
// package-level mutable state: metrics registries and clocks are passed in.
package controller
