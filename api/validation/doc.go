// Package validation checks API objects the way upstream's API server does
// before it stores them (k8s.io/kubernetes pkg/apis/*/validation and
// apimachinery's ObjectMeta validation), returning field errors with
// upstream's field paths and messages, because kubectl and client libraries
// show those messages verbatim and tests compare them.
//
// Validate and ValidateUpdate dispatch on the concrete kind; the exported
// per-kind functions (ValidatePod, ValidateServiceUpdate, ...) are there for
// callers that validate subresources such as status and binding. Objects are
// expected to have been defaulted (see seven.dev/api/defaults): like
// upstream, validation reports a missing defaulted field as Required.
//
// The package is pure: it never mutates its arguments, never reads the
// clock, storage or cluster state (uniqueness of names, node port ranges and
// quota are the registry's and allocators' business), and holds no state.
// Feature-gated upstream behaviour follows the v1.32 defaults.
package validation
