package endpoint

import (
	"fmt"
	"sort"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/labels"
)

// Subsets computes the endpoint subsets of svc from the pods of its namespace. Pods with
// the same resolved ports share a subset; addresses and subsets come out sorted, so equal
// inputs give equal outputs.
func Subsets(svc *core.Service, pods []*core.Pod) []core.EndpointSubset {
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	type group struct {
		ports           []core.EndpointPort
		ready, notReady []core.EndpointAddress
	}
	groups := map[string]*group{}
	for _, p := range pods {
		if !sel.Matches(p.Labels) || p.Status.PodIP == "" || p.DeletionTimestamp != nil ||
			p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed {
			continue
		}
		var ports []core.EndpointPort
		for _, sp := range svc.Spec.Ports {
			n, ok := resolvePort(p, sp)
			if !ok {
				continue
			}
			proto := sp.Protocol
			if proto == "" {
				proto = core.ProtocolTCP
			}
			ports = append(ports, core.EndpointPort{Name: sp.Name, Port: n, Protocol: proto, AppProtocol: sp.AppProtocol})
		}
		if len(svc.Spec.Ports) > 0 && len(ports) == 0 {
			continue
		}
		key := portsKey(ports)
		g := groups[key]
		if g == nil {
			g = &group{ports: ports}
			groups[key] = g
		}
		addr := core.EndpointAddress{IP: p.Status.PodIP, TargetRef: &core.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}}
		if p.Spec.NodeName != "" {
			node := p.Spec.NodeName
			addr.NodeName = &node
		}
		if svc.Spec.PublishNotReadyAddresses || podReady(p) {
			g.ready = append(g.ready, addr)
		} else {
			g.notReady = append(g.notReady, addr)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []core.EndpointSubset
	for _, k := range keys {
		g := groups[k]
		sortAddrs(g.ready)
		sortAddrs(g.notReady)
		out = append(out, core.EndpointSubset{Addresses: g.ready, NotReadyAddresses: g.notReady, Ports: g.ports})
	}
	return out
}

func sortAddrs(a []core.EndpointAddress) {
	sort.Slice(a, func(i, j int) bool { return a[i].IP < a[j].IP })
}

func portsKey(ports []core.EndpointPort) string {
	var b strings.Builder
	for _, p := range ports {
		fmt.Fprintf(&b, "%s/%d/%s;", p.Name, p.Port, p.Protocol)
	}
	return b.String()
}

func podReady(p *core.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == core.PodReady {
			return c.Status == core.ConditionTrue
		}
	}
	return false
}

// resolvePort finds the pod's port for a service port: a number is used as is (0 means the
// service port), a name is looked up among the pod's container ports of that protocol.
func resolvePort(p *core.Pod, sp core.ServicePort) (int32, bool) {
	tp := sp.TargetPort
	if tp.Type == intstr.Int {
		if tp.IntVal == 0 {
			return sp.Port, true
		}
		return tp.IntVal, true
	}
	proto := sp.Protocol
	if proto == "" {
		proto = core.ProtocolTCP
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			cpProto := cp.Protocol
			if cpProto == "" {
				cpProto = core.ProtocolTCP
			}
			if cp.Name == tp.StrVal && cpProto == proto {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}
