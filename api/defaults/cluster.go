package defaults

import (
	"maps"

	"seven.dev/api/core"
)

// Namespace labels a named namespace with kubernetes.io/metadata.name (so
// that namespace selectors can pick it by name) and starts it Active.
// Finalizers are the registry's business.
func Namespace(ns *core.Namespace) {
	if ns.Name != "" {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[core.LabelMetadataName] = ns.Name
	}
	if ns.Status.Phase == "" {
		ns.Status.Phase = core.NamespaceActive
	}
}

// Node defaults allocatable to capacity when the kubelet reports only the
// latter.
func Node(node *core.Node) {
	st := &node.Status
	if st.Allocatable == nil && st.Capacity != nil {
		st.Allocatable = maps.Clone(st.Capacity)
	}
}

// Secret defaults the type to Opaque.
func Secret(s *core.Secret) {
	if s.Type == "" {
		s.Type = core.SecretTypeOpaque
	}
}

// ConfigMap gives a config map an empty (never nil) data map, as upstream
// does; it is invisible on the wire but keeps merges simple.
func ConfigMap(cm *core.ConfigMap) {
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
}

// LimitRange fills the defaults of container limit items: the default limit
// from max, the default request from the default limit, then from min.
func LimitRange(lr *core.LimitRange) {
	for i := range lr.Spec.Limits {
		item := &lr.Spec.Limits[i]
		if item.Type != core.LimitTypeContainer {
			continue
		}
		if item.Default == nil {
			item.Default = core.ResourceList{}
		}
		if item.DefaultRequest == nil {
			item.DefaultRequest = core.ResourceList{}
		}
		fillMissing(item.Default, item.Max)
		fillMissing(item.DefaultRequest, item.Default)
		fillMissing(item.DefaultRequest, item.Min)
	}
}

// fillMissing copies into dst every entry of src that dst lacks.
func fillMissing(dst, src core.ResourceList) {
	for name, q := range src {
		if _, ok := dst[name]; !ok {
			dst[name] = q.DeepCopy()
		}
	}
}
