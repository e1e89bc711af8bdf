package handlers

import (
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

var resourceVerbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

// subresourceDiscovery says how each subresource appears in discovery.
var subresourceDiscovery = map[string]struct {
	group, version, kind string
	verbs                []string
}{
	"status":      {verbs: []string{"get", "patch", "update"}},
	"scale":       {group: "autoscaling", version: "v1", kind: "Scale", verbs: []string{"get", "patch", "update"}},
	"binding":     {kind: "Binding", verbs: []string{"create"}},
	"eviction":    {group: "policy", version: "v1", kind: "Eviction", verbs: []string{"create"}},
	"log":         {kind: "Pod", verbs: []string{"get"}},
	"exec":        {kind: "PodExecOptions", verbs: []string{"create", "get"}},
	"attach":      {kind: "PodAttachOptions", verbs: []string{"create", "get"}},
	"portforward": {kind: "PodPortForwardOptions", verbs: []string{"create", "get"}},
	"proxy":       {kind: "NodeProxyOptions", verbs: []string{"create", "delete", "get", "patch", "update"}},
	"finalize":    {kind: "Namespace", verbs: []string{"update"}},
}

// Discovery serves /api, /apis, /apis/<g> and the per-version resource lists.
type Discovery struct {
	Scheme *scheme.Scheme
	// Extra are group versions served outside the registry (metrics.k8s.io/v1beta1),
	// listed after the scheme's groups.
	Extra []meta.APIResourceList
}

// extraGroup splits an Extra entry's group version.
func extraGroup(l meta.APIResourceList) (group, version string) {
	group, version, _ = strings.Cut(l.GroupVersion, "/")
	return group, version
}

func serverAddresses(r *http.Request) []meta.ServerAddressByClientCIDR {
	host := r.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "80")
	}
	return []meta.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: host}}
}

// ServeAPI answers /api.
func (d *Discovery) ServeAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, &meta.APIVersions{
		TypeMeta:                   meta.TypeMeta{Kind: "APIVersions"},
		Versions:                   []string{"v1"},
		ServerAddressByClientCIDRs: serverAddresses(r),
	})
}

func (d *Discovery) group(name string) meta.APIGroup {
	versions := map[string]bool{}
	var list []meta.GroupVersionForDiscovery
	for _, k := range d.Scheme.Kinds() {
		if k.Group == name && !versions[k.Version] {
			versions[k.Version] = true
			list = append(list, meta.GroupVersionForDiscovery{GroupVersion: k.GroupVersion(), Version: k.Version})
		}
	}
	for _, l := range d.Extra {
		if g, v := extraGroup(l); g == name && !versions[v] {
			versions[v] = true
			list = append(list, meta.GroupVersionForDiscovery{GroupVersion: l.GroupVersion, Version: v})
		}
	}
	g := meta.APIGroup{TypeMeta: meta.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}, Name: name, Versions: list}
	if len(list) > 0 {
		g.PreferredVersion = list[0]
	}
	return g
}

// ServeAPIs answers /apis.
func (d *Discovery) ServeAPIs(w http.ResponseWriter, r *http.Request) {
	out := &meta.APIGroupList{TypeMeta: meta.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: []meta.APIGroup{}}
	groups := d.Scheme.Groups()
	for _, l := range d.Extra {
		if g, _ := extraGroup(l); !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	for _, g := range groups {
		if g == "" {
			continue
		}
		grp := d.group(g)
		grp.TypeMeta = meta.TypeMeta{}
		out.Groups = append(out.Groups, grp)
	}
	writeJSON(w, http.StatusOK, out)
}

// ServeGroup answers /apis/<group>.
func (d *Discovery) ServeGroup(w http.ResponseWriter, r *http.Request, group string) {
	g := d.group(group)
	if len(g.Versions) == 0 || group == "" {
		writeError(w, notFound())
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// ServeResources answers /api/v1 and /apis/<group>/<version>.
func (d *Discovery) ServeResources(w http.ResponseWriter, r *http.Request, groupVersion string) {
	for _, l := range d.Extra {
		if l.GroupVersion == groupVersion {
			writeJSON(w, http.StatusOK, l)
			return
		}
	}
	kinds := d.Scheme.KindsIn(groupVersion)
	if len(kinds) == 0 {
		writeError(w, notFound())
		return
	}
	list := &meta.APIResourceList{TypeMeta: meta.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: groupVersion}
	for _, k := range kinds {
		verbs := resourceVerbs
		if k.Resource == "bindings" {
			verbs = []string{"create"}
		}
		list.APIResources = append(list.APIResources, meta.APIResource{
			Name: k.Resource, SingularName: k.Singular, Namespaced: k.Namespaced, Kind: k.Kind,
			Verbs: verbs, ShortNames: k.ShortNames, Categories: k.Categories,
		})
		subs := append([]string(nil), k.Subresources...)
		sort.Strings(subs)
		for _, s := range subs {
			sd, ok := subresourceDiscovery[s]
			if !ok {
				continue
			}
			kind := sd.kind
			if kind == "" {
				kind = k.Kind
			}
			list.APIResources = append(list.APIResources, meta.APIResource{
				Name: k.Resource + "/" + s, Namespaced: k.Namespaced, Group: sd.group, Version: sd.version,
				Kind: kind, Verbs: sd.verbs,
			})
		}
	}
	writeJSON(w, http.StatusOK, list)
}

func notFound() *meta.Status {
	st := apierrors.NewNotFound(apierrors.Resource{}, "")
	st.Message = "the server could not find the requested resource"
	st.Details = &meta.StatusDetails{}
	return st
}

// NotFound answers any unknown path the upstream way.
func NotFound(w http.ResponseWriter, r *http.Request) { writeError(w, notFound()) }
