package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"seven.dev/api/client"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// Dynamic writes and reads objects of any kind by their scheme entry, for the controllers
// that work across kinds (garbage collector, namespace). It decodes only metadata.
type Dynamic struct{ C *client.Client }

// Get reads the metadata of one object.
func (d Dynamic) Get(ctx context.Context, k *scheme.Kind, ns, name string) (*meta.PartialObjectMetadata, error) {
	resp, err := d.C.Do(ctx, "GET", client.Path(k, ns, name, ""), nil, nil, "", "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out meta.PartialObjectMetadata
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode %s %s/%s: %w", k.Resource, ns, name, err)
	}
	return &out, nil
}

// Delete deletes one object with propagation policy (may be ""), preconditioned on uid when
// it is set.
func (d Dynamic) Delete(ctx context.Context, k *scheme.Kind, ns, name, uid, policy string) error {
	opts := meta.DeleteOptions{TypeMeta: meta.TypeMeta{Kind: "DeleteOptions", APIVersion: "v1"}}
	if uid != "" {
		opts.Preconditions = &meta.Preconditions{UID: &uid}
	}
	if policy != "" {
		opts.PropagationPolicy = &policy
	}
	body, _ := json.Marshal(opts)
	return d.send(ctx, "DELETE", client.Path(k, ns, name, ""), nil, body, "")
}

// DeleteCollection deletes every object of kind k in ns.
func (d Dynamic) DeleteCollection(ctx context.Context, k *scheme.Kind, ns string) error {
	return d.send(ctx, "DELETE", client.Path(k, ns, "", ""), nil, nil, "")
}

// Patch applies a JSON merge patch to one object.
func (d Dynamic) Patch(ctx context.Context, k *scheme.Kind, ns, name string, mergePatch []byte) error {
	return d.send(ctx, "PATCH", client.Path(k, ns, name, ""), nil, mergePatch, client.MergePatchType)
}

// List returns the metadata of the objects of kind k in ns.
func (d Dynamic) List(ctx context.Context, k *scheme.Kind, ns string) ([]meta.PartialObjectMetadata, error) {
	resp, err := d.C.Do(ctx, "GET", client.Path(k, ns, "", ""), url.Values{}, nil, "", "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var l struct {
		Items []meta.PartialObjectMetadata `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return nil, fmt.Errorf("decode %s list: %w", k.Resource, err)
	}
	return l.Items, nil
}

func (d Dynamic) send(ctx context.Context, method, path string, q url.Values, body []byte, ct string) error {
	resp, err := d.C.Do(ctx, method, path, q, body, ct, "")
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}
