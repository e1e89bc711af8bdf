// Package storage keeps API objects in etcd and serves watches from a watch cache.
//
// A Store is one resource (pods, services, ...) under /registry/<resource>/. Objects are
// stored as their JSON with metadata.resourceVersion cleared; on the way out the
// resourceVersion is the etcd mod revision of the key. Every Store keeps exactly one etcd
// watch, feeding a watch cache that fans events out to any number of watchers.
//
// The package knows nothing of kinds beyond the hooks in Config: validation, defaulting and
// HTTP are the registry's and the handlers' business, and it must never import them.
package storage

import (
	"context"
	"errors"

	"seven.dev/api/meta"
)

// Sentinel errors; wrap with %w and test with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: a precondition (resourceVersion or uid) did not hold.
	ErrConflict = errors.New("conflict")
	// ErrGone: the requested resourceVersion is older than the watch window or compacted.
	ErrGone = errors.New("resource version too old")
	// ErrTooLarge: a resourceVersion newer than anything the server has seen (upstream answers
	// "Too large resource version" with a 504 Timeout after waiting briefly).
	ErrTooLarge = errors.New("resource version too large")
	// ErrInvalidContinue: a continue token that cannot be decoded.
	ErrInvalidContinue = errors.New("invalid continue token")
)

// Attrs are the labels and selectable fields of an object, computed once per object
// (for pods: metadata.name, metadata.namespace, spec.nodeName, status.phase, ...).
type Attrs struct {
	Labels map[string]string
	Fields map[string]string
}

// Predicate filters objects by their attributes; nil matches everything.
type Predicate func(Attrs) bool

// Config describes one resource.
type Config struct {
	// Resource is the plural lower-case name, e.g. "pods"; keys are /registry/<Resource>/...
	Resource string
	// Namespaced resources have keys /registry/<resource>/<namespace>/<name>.
	Namespaced bool
	// New returns an empty object of the kind, to decode into.
	New func() meta.Object
	// AttrsOf extracts the attributes predicates look at.
	AttrsOf func(meta.Object) Attrs
	// WatchCacheSize is the number of events the cache keeps for resuming watches.
	WatchCacheSize int
}

// ListOptions select and page a list.
type ListOptions struct {
	// ResourceVersion "" is a consistent read from etcd; "0" is served from the watch cache;
	// any other value is a read at least that fresh.
	ResourceVersion string
	Predicate       Predicate
	Limit           int64
	Continue        string
}

// ListResult is one page of a list.
type ListResult struct {
	// Items of a list served from the watch cache are shared with it, like Event.Object:
	// treat them as read-only.
	Items           []meta.Object
	ResourceVersion int64
	Continue        string
	// RemainingItemCount is set when a limited list knows how many items follow.
	RemainingItemCount *int64
}

// Preconditions guard an update or delete.
type Preconditions struct {
	UID             string
	ResourceVersion string
}

// UpdateFunc computes the new object from the current one. It must not mutate cur; it may
// return cur itself to mean "no change" (nothing is written). Returning an error aborts.
type UpdateFunc func(cur meta.Object) (meta.Object, error)

// WatchOptions select the events of a watch.
type WatchOptions struct {
	// ResourceVersion "" or "0": start with synthetic ADDED events for the current state;
	// otherwise: every event after that version, or ErrGone if it left the window.
	ResourceVersion string
	Predicate       Predicate
	// Bookmarks asks for BOOKMARK events carrying the cache's current resourceVersion.
	Bookmarks bool
}

// Event is one watch event. Object must be treated as read-only: it is shared by every
// watcher. For DELETED events Object is the last state with the deletion's revision.
type Event struct {
	Type     string // meta.Added, meta.Modified, meta.Deleted, meta.Bookmark, meta.Error
	Object   meta.Object
	Revision int64
}

// Watcher is a running watch; Stop ends it and closes the channel.
type Watcher interface {
	ResultChan() <-chan Event
	Stop()
}

// Store is the storage of one resource.
type Store interface {
	// Create writes obj at its namespace/name; obj must have no resourceVersion.
	// The returned object carries the new resourceVersion.
	Create(ctx context.Context, obj meta.Object) (meta.Object, error)
	Get(ctx context.Context, namespace, name string) (meta.Object, error)
	List(ctx context.Context, namespace string, opts ListOptions) (ListResult, error)
	// GuaranteedUpdate reads the current object, applies fn and writes the result with a
	// compare-and-swap on the mod revision, retrying fn on a lost race. Preconditions are
	// checked against the current object on every try (ErrConflict when they fail).
	GuaranteedUpdate(ctx context.Context, namespace, name string, pre *Preconditions, fn UpdateFunc) (meta.Object, error)
	// Delete removes the object if pre holds and check (when non-nil) accepts the current
	// object, and returns the last state with the deletion's resourceVersion.
	Delete(ctx context.Context, namespace, name string, pre *Preconditions, check func(cur meta.Object) error) (meta.Object, error)
	Watch(ctx context.Context, namespace string, opts WatchOptions) (Watcher, error)
	// Count returns the number of objects (from the cache), for metrics.
	Count() int
	// CurrentRevision is the newest etcd revision the watch cache has seen.
	CurrentRevision() int64
}
