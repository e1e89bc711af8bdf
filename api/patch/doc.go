// Package patch applies the three PATCH flavours of the Kubernetes API to JSON
// documents, and computes the patches kubectl sends:
//
//   - JSON Patch (RFC 6902, application/json-patch+json): ApplyJSONPatch.
//   - JSON Merge Patch (RFC 7386, application/merge-patch+json): ApplyMergePatch
//     and CreateMergePatch (kubectl label, annotate and patch --type=merge).
//   - Strategic merge patch (application/strategic-merge-patch+json):
//     ApplyStrategicMergePatch, CreateTwoWayMergePatch and
//     CreateThreeWayMergePatch (kubectl apply), driven by a Schema that says
//     which lists merge by which key. SchemaFromType reads it from the
//     patchStrategy and patchMergeKey struct tags of our API types.
//
// Every function takes JSON bytes or the values encoding/json produces when
// decoding into an any with UseNumber (map[string]any, []any, string,
// json.Number, bool, nil), so integers keep their exact digits. Results are
// what upstream's apiserver computes for the same input, including the order
// of merged list elements, so an upstream kubectl cannot tell the difference.
//
// Errors wrap a few sentinels (ErrInvalidJSON, ErrBadPatch, ErrNotApplicable,
// ErrTooLarge, ErrConflict, ErrPreconditionFailed) so the API server can map
// them to HTTP status codes with errors.Is, while err.Error() says what failed
// and where.
//
// The package must never know about API kinds, storage, HTTP or clients: it
// transforms JSON values and nothing else. It must never mutate its inputs and
// must never panic on any input, however malformed (FuzzApply checks this).
// It keeps no package-level mutable state; a Schema is immutable once built and
// safe for concurrent use.
package patch
