package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"seven.dev/api/client"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
	"seven.dev/kubectl/internal/manifest"
)

// target is one kind with the names asked for (none means "all matching").
type target struct {
	kind  *scheme.Kind
	names []string
}

// resolveKind finds the kind a user's word names ("po", "rc", "deployments.apps").
func (o *Options) resolveKind(word string) (*scheme.Kind, error) {
	ks := o.scheme.Resolve(word)
	if len(ks) == 0 {
		return nil, fmt.Errorf("the server doesn't have a resource type %q", word)
	}
	return ks[0], nil
}

// expandKinds turns "rc,svc" (or "all") into kinds, keeping order and dropping repeats.
func (o *Options) expandKinds(words string) ([]*scheme.Kind, error) {
	var out []*scheme.Kind
	seen := map[*scheme.Kind]bool{}
	for _, w := range strings.Split(words, ",") {
		if w == "" {
			continue
		}
		var ks []*scheme.Kind
		if w == "all" {
			for _, k := range o.scheme.Kinds() {
				for _, c := range k.Categories {
					if c == "all" {
						ks = append(ks, k)
					}
				}
			}
		} else {
			k, err := o.resolveKind(w)
			if err != nil {
				return nil, err
			}
			ks = []*scheme.Kind{k}
		}
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// parseTargets reads "TYPE[,TYPE...] [NAME...]" or "TYPE/NAME ..." arguments.
func (o *Options) parseTargets(args []string) ([]target, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("you must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.")
	}
	if strings.Contains(args[0], "/") {
		var out []target
		for _, a := range args {
			typ, name, ok := strings.Cut(a, "/")
			if !ok || name == "" {
				return nil, fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
			}
			k, err := o.resolveKind(typ)
			if err != nil {
				return nil, err
			}
			if n := len(out); n > 0 && out[n-1].kind == k {
				out[n-1].names = append(out[n-1].names, name)
			} else {
				out = append(out, target{kind: k, names: []string{name}})
			}
		}
		return out, nil
	}
	kinds, err := o.expandKinds(args[0])
	if err != nil {
		return nil, err
	}
	for _, a := range args[1:] {
		if strings.Contains(a, "/") {
			return nil, fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
		}
	}
	var out []target
	for _, k := range kinds {
		out = append(out, target{kind: k, names: args[1:]})
	}
	return out, nil
}

// namespaceFor returns the namespace to use for kind k ("" for cluster-scoped kinds and -A).
func (o *Options) namespaceFor(k *scheme.Kind) string {
	if !k.Namespaced || o.allNamespaces {
		return ""
	}
	return o.ns()
}

// resolved is one object read with -f, matched to its kind.
type resolved struct {
	source string
	kind   *scheme.Kind
	obj    object
	ns     string
	name   string
}

// readFiles reads and resolves every object of -f before anything is sent, so bad input
// changes nothing on the server.
func (o *Options) readFiles(files []string, recursive bool, verb string) ([]resolved, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("must specify one of -f and -k")
	}
	if _, err := o.client(); err != nil {
		return nil, err
	}
	items, err := manifest.Read(files, recursive, o.In)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no objects passed to %s", verb)
	}
	var out []resolved
	for _, it := range items {
		r, err := o.resolveObject(it.Source, it.Object)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (o *Options) resolveObject(source string, obj object) (resolved, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kindName, _ := obj["kind"].(string)
	name := nestedString(obj, "metadata", "name")
	objNS := nestedString(obj, "metadata", "namespace")
	k, ok := o.scheme.ByKind(apiVersion, kindName)
	if !ok {
		return resolved{}, fmt.Errorf("resource mapping not found for name: %q namespace: %q from %q: no matches for kind %q in version %q", name, objNS, source, kindName, apiVersion)
	}
	ns := ""
	if k.Namespaced {
		ns = o.ns()
		if objNS != "" {
			if o.explicitN && objNS != o.ns() {
				return resolved{}, fmt.Errorf("the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation.", objNS, o.ns(), objNS)
			}
			ns = objNS
		}
	}
	return resolved{source: source, kind: k, obj: obj, ns: ns, name: name}, nil
}

// getObject reads one object as decoded JSON.
func (o *Options) getObject(k *scheme.Kind, ns, name string) (object, error) {
	return o.raw("GET", client.Path(k, ns, name, ""), nil, nil, "")
}

// listObjects lists a kind with a label selector as decoded JSON items.
func (o *Options) listObjects(k *scheme.Kind, ns, selector string) ([]object, error) {
	q := url.Values{}
	if selector != "" {
		q.Set("labelSelector", selector)
	}
	list, err := o.raw("GET", client.Path(k, ns, "", ""), q, nil, "")
	if err != nil {
		return nil, err
	}
	var out []object
	items, _ := list["items"].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			m["apiVersion"] = k.GroupVersion()
			m["kind"] = k.Kind
			out = append(out, m)
		}
	}
	return out, nil
}

// send writes body with method to path and returns the server's object.
func (o *Options) send(method, path string, q url.Values, body any, contentType string) (object, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	return o.raw(method, path, q, data, contentType)
}

// getTable reads a server-side Table for a list (name "") or one object.
func (o *Options) getTable(k *scheme.Kind, ns, name string, q url.Values) (*meta.Table, error) {
	cl, err := o.client()
	if err != nil {
		return nil, err
	}
	resp, err := cl.Do(o.ctx, "GET", client.Path(k, ns, name, ""), q, nil, "", tableAccept)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return decodeTable(resp.Body)
}

const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

func decodeTable(r io.Reader) (*meta.Table, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var t meta.Table
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decoding the server's table: %w", err)
	}
	if t.Kind != "Table" {
		return nil, fmt.Errorf("the server did not answer with a Table (kind %q)", t.Kind)
	}
	return &t, nil
}
