package informer

import (
	apierrors "seven.dev/api/errors"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
)

// Lister answers the questions controllers ask of a cache, with the API's error values.
// Like the Store it reads, it returns shared objects: never modify them.
type Lister[T meta.Object] struct {
	store    Store[T]
	resource apierrors.Resource
}

// NewLister returns a lister over store; resource names the kind in NotFound errors.
func NewLister[T meta.Object](store Store[T], resource apierrors.Resource) *Lister[T] {
	return &Lister[T]{store: store, resource: resource}
}

// Get returns namespace/name ("" namespace for cluster-scoped kinds), or a NotFound error
// that errors.IsNotFound recognises.
func (l *Lister[T]) Get(namespace, name string) (T, error) {
	obj, ok := l.store.GetByName(namespace, name)
	if !ok {
		var zero T
		return zero, apierrors.NewNotFound(l.resource, name)
	}
	return obj, nil
}

// List returns the objects in namespace ("" for all) whose labels match sel (nil for
// all), in no particular order. An exact label requirement is answered from the label
// index instead of a scan.
func (l *Lister[T]) List(namespace string, sel labels.Selector) []T {
	if sel == nil {
		sel = labels.Everything()
	}
	var candidates []T
	indexed := false
	if reqs, ok := sel.Requirements(); ok {
		for _, r := range reqs {
			if v, exact := sel.RequiresExactMatch(r.Key()); exact {
				candidates, indexed = l.store.ByLabel(r.Key(), v), true
				break
			}
		}
	}
	if !indexed {
		if namespace != "" {
			candidates = l.store.ByNamespace(namespace)
		} else {
			candidates = l.store.List()
		}
	}
	out := candidates[:0:0]
	for _, obj := range candidates {
		m := obj.GetObjectMeta()
		if (namespace == "" || m.Namespace == namespace) && sel.Matches(m.Labels) {
			out = append(out, obj)
		}
	}
	return out
}
