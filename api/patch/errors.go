package patch

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (wrapped) by this package. Callers test them with
// errors.Is; the message of the returned error says what failed and where.
var (
	// ErrInvalidJSON means a document or patch is not well-formed JSON, or not
	// the JSON type the operation needs (an object for a strategic merge patch).
	// The API server answers 400 Bad Request when the patch is at fault.
	ErrInvalidJSON = errors.New("invalid JSON")

	// ErrBadPatch means the patch is well-formed JSON but not a valid patch of
	// its kind: an unknown JSON Patch op, a missing path, a malformed
	// strategic-merge directive, a merge-key list element without its key.
	// The API server answers 400 Bad Request.
	ErrBadPatch = errors.New("bad patch")

	// ErrNotApplicable means a valid patch cannot be applied to this document:
	// a path that does not exist, an array index out of range, a failed test
	// operation, a copy that grows the document past its limit. The API server
	// answers 422 Unprocessable Entity.
	ErrNotApplicable = errors.New("patch does not apply")

	// ErrTooLarge means the patch asks for more work than allowed: more JSON
	// Patch operations than JSONPatchOptions.MaxOperations. The API server
	// answers 413 Request Entity Too Large.
	ErrTooLarge = errors.New("patch too large")

	// ErrConflict means CreateThreeWayMergePatch without overwrite found that
	// the live object changed a field differently from the new configuration.
	ErrConflict = errors.New("conflict")

	// ErrPreconditionFailed means a computed patch failed one of the
	// Preconditions passed to CreateTwoWayMergePatch or CreateThreeWayMergePatch.
	ErrPreconditionFailed = errors.New("precondition failed")
)

// kindError carries a user-facing message and the sentinel it belongs to
// without repeating the sentinel's text in the message: "replace operation
// does not apply: doc is missing path: /spec/foo" reads better than the same
// sentence prefixed with "patch does not apply: ".
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// newKindError formats like fmt.Errorf (so %w works) and tags the result with kind.
func newKindError(kind error, format string, args ...any) error {
	return &kindError{kind: kind, err: fmt.Errorf(format, args...)}
}

func badPatch(format string, args ...any) error {
	return newKindError(ErrBadPatch, format, args...)
}

func notApplicable(format string, args ...any) error {
	return newKindError(ErrNotApplicable, format, args...)
}

func invalidJSON(format string, args ...any) error {
	return newKindError(ErrInvalidJSON, format, args...)
}

// errNoMergeKey words a missing merge key the way upstream does, prefixed
// with where the element sits.
func errNoMergeKey(path string, m map[string]any, key string) error {
	return badPatch("%s: map: %v does not contain declared merge key: %s", displayPath(path), m, key)
}

// displayPath names the document root when path is empty.
func displayPath(path string) string {
	if path == "" {
		return "<root>"
	}
	return path
}
