package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"

	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// Resource is typed access to one kind. T is the pointer type the kind's New returns
// (*core.Pod for pods).
type Resource[T meta.Object] struct {
	c    *Client
	kind *scheme.Kind
}

// For returns typed access to kind k. It panics when T is not the type k.New returns:
// that is a programming error, found by the first test that runs the code.
func For[T meta.Object](c *Client, k *scheme.Kind) *Resource[T] {
	if _, ok := k.New().(T); !ok {
		var zero T
		panic(fmt.Sprintf("client.For: kind %s makes %T, not %T", k.Kind, k.New(), zero))
	}
	return &Resource[T]{c: c, kind: k}
}

// Kind returns the kind the resource serves.
func (r *Resource[T]) Kind() *scheme.Kind { return r.kind }

// Client returns the client the resource talks through.
func (r *Resource[T]) Client() *Client { return r.c }

// New returns an empty object of the kind.
func (r *Resource[T]) New() T { return r.kind.New().(T) }

// ListOptions narrow a list or a watch.
type ListOptions struct {
	LabelSelector string
	FieldSelector string
	// ResourceVersion: "" is a consistent read, "0" any cached version; for a watch, where to
	// start.
	ResourceVersion string
	// ResourceVersionMatch is "NotOlderThan" or "Exact" (lists only).
	ResourceVersionMatch string
	Continue             string
	Limit                int64
	// TimeoutSeconds asks the server to end a watch after so long.
	TimeoutSeconds      *int64
	AllowWatchBookmarks bool
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("labelSelector", o.LabelSelector)
	set("fieldSelector", o.FieldSelector)
	set("resourceVersion", o.ResourceVersion)
	set("resourceVersionMatch", o.ResourceVersionMatch)
	set("continue", o.Continue)
	if o.Limit > 0 {
		q.Set("limit", strconv.FormatInt(o.Limit, 10))
	}
	if o.TimeoutSeconds != nil {
		q.Set("timeoutSeconds", strconv.FormatInt(*o.TimeoutSeconds, 10))
	}
	if o.AllowWatchBookmarks {
		q.Set("allowWatchBookmarks", "true")
	}
	return q
}

// List is one page of a list.
type List[T meta.Object] struct {
	ResourceVersion string
	Continue        string
	// RemainingItemCount is the server's estimate of the items after this page, when given.
	RemainingItemCount *int64
	Items              []T
}

// WriteOption changes how a write is done.
type WriteOption func(url.Values)

// DryRun validates and admits the write without persisting it (dryRun=All).
func DryRun() WriteOption { return func(q url.Values) { q.Set("dryRun", "All") } }

// FieldValidation is "Strict", "Warn" or "Ignore": what the server does with unknown or
// duplicate fields.
func FieldValidation(mode string) WriteOption {
	return func(q url.Values) { q.Set("fieldValidation", mode) }
}

// FieldManager names the writer for managed fields.
func FieldManager(name string) WriteOption {
	return func(q url.Values) { q.Set("fieldManager", name) }
}

func writeQuery(opts []WriteOption) url.Values {
	q := url.Values{}
	for _, o := range opts {
		o(q)
	}
	return q
}

// Path returns the URL path of the kind in namespace (all namespaces, or a cluster-scoped
// kind, when ns is ""), of one object when name is set, and of its subresource.
func Path(k *scheme.Kind, namespace, name, subresource string) string {
	p := "/api/" + k.Version
	if k.Group != "" {
		p = "/apis/" + k.Group + "/" + k.Version
	}
	if k.Namespaced && namespace != "" {
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	p += "/" + k.Resource
	if name != "" {
		p += "/" + url.PathEscape(name)
		if subresource != "" {
			p += "/" + subresource
		}
	}
	return p
}

func (r *Resource[T]) path(namespace, name, sub string) string {
	return Path(r.kind, namespace, name, sub)
}

// objectNamespace is the namespace a write of obj goes to: its own, or "default" for a
// namespaced kind that names none (as kubectl does).
func (r *Resource[T]) objectNamespace(obj T) string {
	if !r.kind.Namespaced {
		return ""
	}
	if ns := obj.GetObjectMeta().Namespace; ns != "" {
		return ns
	}
	return "default"
}

// fillType sets the kind and apiVersion an answer left out (list items carry none).
func (r *Resource[T]) fillType(obj T) {
	tm := obj.GetTypeMeta()
	if tm.Kind == "" {
		tm.Kind = r.kind.Kind
	}
	if tm.APIVersion == "" {
		tm.APIVersion = r.kind.GroupVersion()
	}
}

func (r *Resource[T]) do(ctx context.Context, method, path string, q url.Values, in any, contentType string) (T, error) {
	out := r.New()
	if err := r.c.call(ctx, method, path, q, in, contentType, out); err != nil {
		var zero T
		return zero, err
	}
	r.fillType(out)
	return out, nil
}

// Get reads one object.
func (r *Resource[T]) Get(ctx context.Context, namespace, name string) (T, error) {
	return r.do(ctx, http.MethodGet, r.path(namespace, name, ""), nil, nil, "")
}

// List reads the objects matching opts; namespace "" lists every namespace.
func (r *Resource[T]) List(ctx context.Context, namespace string, opts ListOptions) (*List[T], error) {
	var page struct {
		Metadata meta.ListMeta `json:"metadata"`
		Items    []T           `json:"items"`
	}
	if err := r.c.call(ctx, http.MethodGet, r.path(namespace, "", ""), opts.query(), nil, "", &page); err != nil {
		return nil, err
	}
	l := &List[T]{ResourceVersion: page.Metadata.ResourceVersion, Continue: page.Metadata.Continue,
		RemainingItemCount: page.Metadata.RemainingItemCount, Items: page.Items}
	for i, it := range l.Items {
		if isNil(it) {
			l.Items[i] = r.New() // a JSON null item; never hand out a nil object
			it = l.Items[i]
		}
		r.fillType(it)
	}
	return l, nil
}

// isNil reports a nil object, which a typed nil pointer inside an interface hides from ==.
func isNil[T meta.Object](o T) bool {
	v := reflect.ValueOf(o)
	return !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil())
}

// Create makes obj in its namespace and returns what the server stored.
func (r *Resource[T]) Create(ctx context.Context, obj T, opts ...WriteOption) (T, error) {
	return r.do(ctx, http.MethodPost, r.path(r.objectNamespace(obj), "", ""), writeQuery(opts), obj, "")
}

// Update replaces obj; a stale metadata.resourceVersion fails with a Conflict.
func (r *Resource[T]) Update(ctx context.Context, obj T, opts ...WriteOption) (T, error) {
	m := obj.GetObjectMeta()
	return r.do(ctx, http.MethodPut, r.path(r.objectNamespace(obj), m.Name, ""), writeQuery(opts), obj, "")
}

// UpdateStatus replaces obj's status through the status subresource.
func (r *Resource[T]) UpdateStatus(ctx context.Context, obj T, opts ...WriteOption) (T, error) {
	m := obj.GetObjectMeta()
	return r.do(ctx, http.MethodPut, r.path(r.objectNamespace(obj), m.Name, "status"), writeQuery(opts), obj, "")
}

// Patch applies data, of patchType (JSONPatchType, MergePatchType or
// StrategicMergePatchType), to an object or, when subresource is set, to its subresource.
func (r *Resource[T]) Patch(ctx context.Context, namespace, name, patchType string, data []byte, subresource string, opts ...WriteOption) (T, error) {
	if data == nil {
		data = []byte{}
	}
	return r.do(ctx, http.MethodPatch, r.path(namespace, name, subresource), writeQuery(opts), data, patchType)
}

// Delete removes one object; opts may be nil.
func (r *Resource[T]) Delete(ctx context.Context, namespace, name string, opts *meta.DeleteOptions) error {
	return r.c.call(ctx, http.MethodDelete, r.path(namespace, name, ""), nil, deleteBody(opts), "", nil)
}

// DeleteCollection removes every object in namespace matching lopts.
func (r *Resource[T]) DeleteCollection(ctx context.Context, namespace string, opts *meta.DeleteOptions, lopts ListOptions) error {
	return r.c.call(ctx, http.MethodDelete, r.path(namespace, "", ""), lopts.query(), deleteBody(opts), "", nil)
}

func deleteBody(opts *meta.DeleteOptions) any {
	if opts == nil {
		return nil
	}
	o := *opts
	if o.Kind == "" {
		o.TypeMeta = meta.TypeMeta{Kind: "DeleteOptions", APIVersion: "v1"}
	}
	return &o
}
