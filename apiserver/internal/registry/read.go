package registry

import (
	"context"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/storage"
)

// Get reads one object.
func (r *Registry) Get(ctx context.Context, q *Request) (meta.Object, error) {
	obj, err := r.store(q.Kind).Get(ctx, q.Namespace, q.Name)
	if err != nil {
		return nil, q.statusError(err, q.Name)
	}
	setTypeMeta(q.Kind, obj)
	return obj, nil
}

// List reads a page of objects.
func (r *Registry) List(ctx context.Context, q *Request, opts storage.ListOptions) (storage.ListResult, error) {
	res, err := r.store(q.Kind).List(ctx, q.Namespace, opts)
	if err != nil {
		return storage.ListResult{}, q.statusError(err, "")
	}
	return res, nil
}

// Watch starts a watch.
func (r *Registry) Watch(ctx context.Context, q *Request, opts storage.WatchOptions) (storage.Watcher, error) {
	w, err := r.store(q.Kind).Watch(ctx, q.Namespace, opts)
	if err != nil {
		return nil, q.statusError(err, "")
	}
	return w, nil
}

// DeleteCollection deletes every object a list selects, each with opts.
func (r *Registry) DeleteCollection(ctx context.Context, q *Request, lopts storage.ListOptions, opts *meta.DeleteOptions) ([]meta.Object, error) {
	res, err := r.List(ctx, q, lopts)
	if err != nil {
		return nil, err
	}
	var out []meta.Object
	for _, item := range res.Items {
		m := item.GetObjectMeta()
		iq := *q
		iq.Namespace, iq.Name = m.Namespace, m.Name
		d, err := r.Delete(ctx, &iq, opts)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return out, err
		}
		out = append(out, d.Object)
	}
	return out, nil
}

// ReturnsObjectOnDelete tells whether a DELETE of the kind answers with the object.
func ReturnsObjectOnDelete(q *Request) bool { return hooksFor(q.Kind).returnObjectOnDelete }

func isNotFound(err error) bool {
	return apierrors.IsNotFound(err)
}
