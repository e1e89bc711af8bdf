package kubelet

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"seven.dev/api/client"
	"seven.dev/api/core"
)

// serviceEnv returns the docker-link style variables of services, as upstream's
// envvars.FromServices: <SVC>_SERVICE_HOST, <SVC>_SERVICE_PORT, <SVC>_SERVICE_PORT_<NAME>
// and <SVC>_PORT, <SVC>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]. Services without a
// cluster IP are skipped. Pure.
func serviceEnv(services []*core.Service) []core.EnvVar {
	sorted := append([]*core.Service(nil), services...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var out []core.EnvVar
	for _, s := range sorted {
		ip := s.Spec.ClusterIP
		if ip == "" || ip == "None" || len(s.Spec.Ports) == 0 {
			continue
		}
		prefix := strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))
		first := s.Spec.Ports[0]
		out = append(out,
			core.EnvVar{Name: prefix + "_SERVICE_HOST", Value: ip},
			core.EnvVar{Name: prefix + "_SERVICE_PORT", Value: strconv.Itoa(int(first.Port))})
		for _, p := range s.Spec.Ports {
			if p.Name != "" {
				out = append(out, core.EnvVar{Name: prefix + "_SERVICE_PORT_" + strings.ToUpper(strings.ReplaceAll(p.Name, "-", "_")), Value: strconv.Itoa(int(p.Port))})
			}
		}
		proto := func(p core.ServicePort) string {
			if p.Protocol == "" {
				return "tcp"
			}
			return strings.ToLower(string(p.Protocol))
		}
		out = append(out, core.EnvVar{Name: prefix + "_PORT", Value: fmt.Sprintf("%s://%s:%d", proto(first), ip, first.Port)})
		for _, p := range s.Spec.Ports {
			base := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.Port, strings.ToUpper(proto(p)))
			out = append(out,
				core.EnvVar{Name: base, Value: fmt.Sprintf("%s://%s:%d", proto(p), ip, p.Port)},
				core.EnvVar{Name: base + "_PROTO", Value: proto(p)},
				core.EnvVar{Name: base + "_PORT", Value: strconv.Itoa(int(p.Port))},
				core.EnvVar{Name: base + "_ADDR", Value: ip})
		}
	}
	return out
}

// expand replaces $(VAR) with VAR's value from vars; $$ escapes a $, and references to
// unknown variables stay as they are (upstream's expansion.Expand).
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

// fieldRef resolves a downward API field of pod.
func fieldRef(pod *core.Pod, hostIP string, podIPs []string, path string) (string, error) {
	if k, ok := strings.CutPrefix(path, "metadata.labels['"); ok {
		return pod.Labels[strings.TrimSuffix(k, "']")], nil
	}
	if k, ok := strings.CutPrefix(path, "metadata.annotations['"); ok {
		return pod.Annotations[strings.TrimSuffix(k, "']")], nil
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return pod.UID, nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.hostIPs":
		return hostIP, nil
	case "status.podIP":
		if len(podIPs) > 0 {
			return podIPs[0], nil
		}
		return "", nil
	case "status.podIPs":
		return strings.Join(podIPs, ","), nil
	}
	return "", fmt.Errorf("unsupported fieldPath %q", path)
}

// containerEnv builds a container's environment: the services' variables, then envFrom,
// then env with $(VAR) expansion, later entries winning.
func (k *Kubelet) containerEnv(ctx context.Context, pod *core.Pod, c *core.Container, podIPs []string) ([]string, error) {
	vars := map[string]string{}
	var order []string
	set := func(name, value string) {
		if _, ok := vars[name]; !ok {
			order = append(order, name)
		}
		vars[name] = value
	}
	if k.services != nil && (pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks) {
		svcs := k.services.Lister().List(pod.Namespace, nil)
		if pod.Namespace != "default" {
			if m, err := k.services.Lister().Get("default", "kubernetes"); err == nil {
				svcs = append(svcs, m)
			}
		}
		for _, e := range serviceEnv(svcs) {
			set(e.Name, e.Value)
		}
	}
	optional := func(p *bool) bool { return p != nil && *p }
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := client.ConfigMaps(k.c).Get(ctx, pod.Namespace, from.ConfigMapRef.Name)
			if err != nil {
				if optional(from.ConfigMapRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("configmap %q: %w", from.ConfigMapRef.Name, err)
			}
			for key, v := range cm.Data {
				set(from.Prefix+key, v)
			}
		case from.SecretRef != nil:
			s, err := client.Secrets(k.c).Get(ctx, pod.Namespace, from.SecretRef.Name)
			if err != nil {
				if optional(from.SecretRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("secret %q: %w", from.SecretRef.Name, err)
			}
			for key, v := range s.Data {
				set(from.Prefix+key, string(v))
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, expand(e.Value, vars))
			continue
		}
		src := e.ValueFrom
		switch {
		case src.FieldRef != nil:
			v, err := fieldRef(pod, k.nodeIP, podIPs, src.FieldRef.FieldPath)
			if err != nil {
				return nil, fmt.Errorf("env %s: %w", e.Name, err)
			}
			set(e.Name, v)
		case src.ConfigMapKeyRef != nil:
			cm, err := client.ConfigMaps(k.c).Get(ctx, pod.Namespace, src.ConfigMapKeyRef.Name)
			v, ok := "", false
			if err == nil {
				v, ok = cm.Data[src.ConfigMapKeyRef.Key]
			}
			if !ok {
				if optional(src.ConfigMapKeyRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("env %s: configmap %q key %q not found (%v)", e.Name, src.ConfigMapKeyRef.Name, src.ConfigMapKeyRef.Key, err)
			}
			set(e.Name, v)
		case src.SecretKeyRef != nil:
			s, err := client.Secrets(k.c).Get(ctx, pod.Namespace, src.SecretKeyRef.Name)
			var v []byte
			ok := false
			if err == nil {
				v, ok = s.Data[src.SecretKeyRef.Key]
			}
			if !ok {
				if optional(src.SecretKeyRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("env %s: secret %q key %q not found (%v)", e.Name, src.SecretKeyRef.Name, src.SecretKeyRef.Key, err)
			}
			set(e.Name, string(v))
		case src.ResourceFieldRef != nil:
			set(e.Name, resourceField(c, src.ResourceFieldRef))
		}
	}
	out := make([]string, 0, len(order))
	for _, n := range order {
		out = append(out, n+"="+vars[n])
	}
	return out, nil
}

func resourceField(c *core.Container, ref *core.ResourceFieldSelector) string {
	kind, name, _ := strings.Cut(ref.Resource, ".")
	list := c.Resources.Limits
	if kind == "requests" {
		list = c.Resources.Requests
	}
	q, ok := list[core.ResourceName(name)]
	if !ok {
		return "0"
	}
	div := ref.Divisor.MilliValue()
	if div == 0 {
		div = 1000
		if name == "memory" || name == "ephemeral-storage" {
			return strconv.FormatInt(q.Value(), 10)
		}
		return strconv.FormatInt((q.MilliValue()+999)/1000, 10)
	}
	return strconv.FormatInt((q.MilliValue()+div-1)/div, 10)
}
