package scheme

import (
	"strings"

	"seven.dev/api/meta"
)

// Kind describes one served kind.
type Kind struct {
	Group      string // "" for the core group
	Version    string
	Kind       string
	Resource   string // plural, lower case
	Singular   string
	ShortNames []string
	Categories []string
	Namespaced bool
	// Subresources are the served subresources (status, scale, binding, log, exec, eviction, ...).
	Subresources []string
	// New returns an empty object of the kind.
	New func() meta.Object
	// Fields returns the field-selectable attributes beyond metadata.name/namespace.
	Fields func(meta.Object) map[string]string
}

// GroupVersion is "v1" for the core group and "<group>/<version>" otherwise.
func (k *Kind) GroupVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// ListKind is the kind name of the kind's list.
func (k *Kind) ListKind() string { return k.Kind + "List" }

// HasSubresource reports whether sub is served for the kind.
func (k *Kind) HasSubresource(sub string) bool {
	for _, s := range k.Subresources {
		if s == sub {
			return true
		}
	}
	return false
}

// SelectableFields returns every field a field selector may name for obj.
func (k *Kind) SelectableFields(obj meta.Object) map[string]string {
	m := obj.GetObjectMeta()
	f := map[string]string{"metadata.name": m.Name}
	if k.Namespaced {
		f["metadata.namespace"] = m.Namespace
	}
	if k.Fields != nil {
		for key, v := range k.Fields(obj) {
			f[key] = v
		}
	}
	return f
}

// Scheme is a set of kinds with lookups by resource, kind and short name.
type Scheme struct {
	kinds      []*Kind
	byResource map[string]*Kind // "group/resource"
	byKind     map[string]*Kind // "groupversion/Kind"
	byName     map[string][]*Kind
}

// New builds a scheme from kinds.
func New(kinds ...*Kind) *Scheme {
	s := &Scheme{byResource: map[string]*Kind{}, byKind: map[string]*Kind{}, byName: map[string][]*Kind{}}
	for _, k := range kinds {
		s.kinds = append(s.kinds, k)
		s.byResource[k.Group+"/"+k.Resource] = k
		s.byKind[k.GroupVersion()+"/"+k.Kind] = k
		names := append([]string{k.Resource, k.Singular, strings.ToLower(k.Kind)}, k.ShortNames...)
		for _, n := range names {
			s.byName[n] = appendUnique(s.byName[n], k)
		}
	}
	return s
}

func appendUnique(ks []*Kind, k *Kind) []*Kind {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

// Kinds returns every kind in registration order.
func (s *Scheme) Kinds() []*Kind { return s.kinds }

// ByResource finds a kind by group and plural resource name.
func (s *Scheme) ByResource(group, resource string) (*Kind, bool) {
	k, ok := s.byResource[group+"/"+resource]
	return k, ok
}

// ByKind finds a kind by apiVersion ("v1", "apps/v1") and kind.
func (s *Scheme) ByKind(apiVersion, kind string) (*Kind, bool) {
	k, ok := s.byKind[apiVersion+"/"+kind]
	return k, ok
}

// Resolve finds the kinds a user's word names: a plural, a singular, a short name or a
// kind, optionally qualified with a group ("deployments.apps"). Case-insensitive.
func (s *Scheme) Resolve(word string) []*Kind {
	word = strings.ToLower(word)
	name, group, qualified := strings.Cut(word, ".")
	var out []*Kind
	for _, k := range s.byName[name] {
		if !qualified || k.Group == group || strings.HasPrefix(k.Group, group+".") {
			out = append(out, k)
		}
	}
	return out
}

// Groups lists the API groups in a stable order, core ("") first.
func (s *Scheme) Groups() []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range s.kinds {
		if !seen[k.Group] {
			seen[k.Group] = true
			out = append(out, k.Group)
		}
	}
	return out
}

// KindsIn lists the kinds of one group version.
func (s *Scheme) KindsIn(groupVersion string) []*Kind {
	var out []*Kind
	for _, k := range s.kinds {
		if k.GroupVersion() == groupVersion {
			out = append(out, k)
		}
	}
	return out
}
