// Package meta holds the object metadata every Seven API kind shares: TypeMeta,
// ObjectMeta, ListMeta, Status, watch events, delete options, label selectors,
// server-side Tables and discovery documents. The JSON shapes are the upstream
// meta.k8s.io/v1 ones, so upstream clients read them unchanged.
//
// It must never depend on any other package of this module: every kind builds on it.
package meta
