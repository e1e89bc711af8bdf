package gc

import (
	"seven.dev/api/informer"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// ownerIndex indexes objects by the UIDs of their owners.
const ownerIndex = "ownerUID"

// Source is one watched kind, seen through its informer cache.
type Source interface {
	Kind() *scheme.Kind
	Get(namespace, name string) (meta.Object, bool)
	// Dependents returns the cached objects with an owner reference to uid.
	Dependents(uid string) []meta.Object
}

type typedSource[T meta.Object] struct {
	kind  *scheme.Kind
	store informer.Store[T]
}

func (s typedSource[T]) Kind() *scheme.Kind { return s.kind }

func (s typedSource[T]) Get(ns, name string) (meta.Object, bool) {
	o, ok := s.store.GetByName(ns, name)
	if !ok {
		return nil, false
	}
	return o, true
}

func (s typedSource[T]) Dependents(uid string) []meta.Object {
	objs, _ := s.store.ByIndex(ownerIndex, uid)
	out := make([]meta.Object, len(objs))
	for i, o := range objs {
		out[i] = o
	}
	return out
}

// NewSource wraps a store (which must carry the owner index: see OwnerIndexers) as a Source.
func NewSource[T meta.Object](k *scheme.Kind, store informer.Store[T]) Source {
	return typedSource[T]{kind: k, store: store}
}

// OwnerIndexers is the owner-UID index a Source needs.
func OwnerIndexers[T meta.Object]() map[string]informer.IndexFunc[T] {
	return map[string]informer.IndexFunc[T]{ownerIndex: func(o T) []string {
		var uids []string
		for _, r := range o.GetObjectMeta().OwnerReferences {
			uids = append(uids, r.UID)
		}
		return uids
	}}
}
