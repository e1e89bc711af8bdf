// Package labels implements label selectors: the string syntax of the
// labelSelector query parameter and of kubectl -l ("app=web,tier!=db",
// "env in (prod,staging)", "!canary", "replicas>3"), the structured
// meta.LabelSelector of workload specs, and matching of both against an
// object's labels.
//
// Parsing, the canonical String form (requirements sorted by key, values
// sorted) and every error message follow upstream's
// k8s.io/apimachinery/pkg/labels, because kubectl and client libraries send
// selectors in that syntax and show our errors to users. Label key and value
// validation lives in seven.dev/api/names; this package only re-exports it
// under label-specific names.
//
// Selectors are immutable once built and safe for concurrent use; this
// package must never hold state of its own.
package labels
