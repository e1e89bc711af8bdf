package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"seven.dev/api/autoscaling"
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
)

// GetScale reads the scale subresource of a scalable kind (deployments, replica sets,
// replication controllers).
func (r *Resource[T]) GetScale(ctx context.Context, namespace, name string) (*autoscaling.Scale, error) {
	s := &autoscaling.Scale{}
	if err := r.c.call(ctx, http.MethodGet, r.path(namespace, name, "scale"), nil, nil, "", s); err != nil {
		return nil, err
	}
	return s, nil
}

// UpdateScale writes the scale subresource; s.ResourceVersion, when set, must be current.
func (r *Resource[T]) UpdateScale(ctx context.Context, namespace, name string, s *autoscaling.Scale, opts ...WriteOption) (*autoscaling.Scale, error) {
	in := *s
	if in.Kind == "" {
		in.TypeMeta = meta.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"}
	}
	if in.Name == "" {
		in.Name = name
	}
	if in.Namespace == "" && r.kind.Namespaced {
		in.Namespace = namespace
	}
	out := &autoscaling.Scale{}
	if err := r.c.call(ctx, http.MethodPut, r.path(namespace, name, "scale"), writeQuery(opts), &in, "", out); err != nil {
		return nil, err
	}
	return out, nil
}

// PatchScale patches the scale subresource.
func (r *Resource[T]) PatchScale(ctx context.Context, namespace, name, patchType string, data []byte, opts ...WriteOption) (*autoscaling.Scale, error) {
	if data == nil {
		data = []byte{}
	}
	out := &autoscaling.Scale{}
	if err := r.c.call(ctx, http.MethodPatch, r.path(namespace, name, "scale"), writeQuery(opts), data, patchType, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) podPath(namespace, name, sub string) (string, error) {
	k, ok := c.scheme.ByResource("", "pods")
	if !ok {
		return "", fmt.Errorf("client: the scheme serves no pods")
	}
	if namespace == "" {
		namespace = "default"
	}
	if name == "" {
		return "", fmt.Errorf("client: pods/%s needs a pod name", sub)
	}
	return Path(k, namespace, name, sub), nil
}

// Bind assigns the pod b names (metadata) to the node b targets (POST pods/<name>/binding).
func (c *Client) Bind(ctx context.Context, b *core.Binding, opts ...WriteOption) error {
	p, err := c.podPath(b.Namespace, b.Name, "binding")
	if err != nil {
		return err
	}
	in := *b
	if in.Kind == "" {
		in.TypeMeta = meta.TypeMeta{Kind: "Binding", APIVersion: "v1"}
	}
	return c.call(ctx, http.MethodPost, p, writeQuery(opts), &in, "", nil)
}

// Evict deletes the pod e names through the eviction subresource, which honours disruption
// budgets (a refusal is a 429, errors.IsTooManyRequests).
func (c *Client) Evict(ctx context.Context, e *policy.Eviction, opts ...WriteOption) error {
	p, err := c.podPath(e.Namespace, e.Name, "eviction")
	if err != nil {
		return err
	}
	in := *e
	if in.Kind == "" {
		in.TypeMeta = meta.TypeMeta{Kind: "Eviction", APIVersion: "policy/v1"}
	}
	return c.call(ctx, http.MethodPost, p, writeQuery(opts), &in, "", nil)
}

// LogOptions select the part of a container's log to read.
type LogOptions struct {
	Container  string
	Follow     bool
	Previous   bool
	Timestamps bool
	// TailLines, SinceSeconds and LimitBytes are unset when nil.
	TailLines    *int64
	SinceSeconds *int64
	LimitBytes   *int64
	// SinceTime, when set, wins over SinceSeconds.
	SinceTime *meta.Time
}

func (o LogOptions) query() url.Values {
	q := url.Values{}
	if o.Container != "" {
		q.Set("container", o.Container)
	}
	for k, v := range map[string]bool{"follow": o.Follow, "previous": o.Previous, "timestamps": o.Timestamps} {
		if v {
			q.Set(k, "true")
		}
	}
	for k, v := range map[string]*int64{"tailLines": o.TailLines, "sinceSeconds": o.SinceSeconds, "limitBytes": o.LimitBytes} {
		if v != nil {
			q.Set(k, strconv.FormatInt(*v, 10))
		}
	}
	if o.SinceTime != nil {
		if b, err := o.SinceTime.MarshalJSON(); err == nil && len(b) > 2 {
			q.Set("sinceTime", string(b[1:len(b)-1]))
			q.Del("sinceSeconds")
		}
	}
	return q
}

// PodLogs streams a container's log (GET pods/<name>/log). The caller reads and closes
// the stream; with Follow it lasts until ctx ends or the container stops, and no
// Config.Timeout applies.
func (c *Client) PodLogs(ctx context.Context, namespace, name string, opts LogOptions) (io.ReadCloser, error) {
	p, err := c.podPath(namespace, name, "log")
	if err != nil {
		return nil, err
	}
	// The log is plain text; errors still come back as a JSON Status.
	resp, err := c.send(ctx, request{method: http.MethodGet, path: p, query: opts.query(),
		accept: "text/plain, application/json, */*", stream: opts.Follow})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
