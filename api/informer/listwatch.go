package informer

import (
	"context"

	"seven.dev/api/client"
	"seven.dev/api/meta"
)

// ListerWatcher is what an Informer needs from the API server: list one page and open a
// watch. The namespace and selectors are fixed by the implementation; the informer sets
// only the paging, version, timeout and bookmark fields of opts.
type ListerWatcher[T meta.Object] interface {
	List(ctx context.Context, opts client.ListOptions) (*client.List[T], error)
	Watch(ctx context.Context, opts client.ListOptions) (client.Watcher[T], error)
}

// Selector narrows what an informer caches, in the API's selector syntax:
// Label "app=web,tier!=db", Field "spec.nodeName=node-1".
type Selector struct {
	Label string
	Field string
}

// FromResource lists and watches r in namespace ("" for every namespace, and for
// cluster-scoped kinds), narrowed by sel.
func FromResource[T meta.Object](r *client.Resource[T], namespace string, sel Selector) ListerWatcher[T] {
	return &resourceLW[T]{r: r, namespace: namespace, sel: sel}
}

type resourceLW[T meta.Object] struct {
	r         *client.Resource[T]
	namespace string
	sel       Selector
}

func (lw *resourceLW[T]) List(ctx context.Context, opts client.ListOptions) (*client.List[T], error) {
	opts.LabelSelector, opts.FieldSelector = lw.sel.Label, lw.sel.Field
	return lw.r.List(ctx, lw.namespace, opts)
}

func (lw *resourceLW[T]) Watch(ctx context.Context, opts client.ListOptions) (client.Watcher[T], error) {
	opts.LabelSelector, opts.FieldSelector = lw.sel.Label, lw.sel.Field
	return lw.r.Watch(ctx, lw.namespace, opts)
}
