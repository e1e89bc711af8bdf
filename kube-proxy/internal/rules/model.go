package rules

import (
	"net"
	"strconv"
	"strings"

	"seven.dev/api/core"
)

// servicePort is one port of a Service resolved against its Endpoints: what both rule
// formats (iptables and nftables) are computed from.
type servicePort struct {
	svc *core.Service
	sp  *core.ServicePort
	// name is upstream's service port name, "<ns>/<svc>" or "<ns>/<svc>:<port name>".
	name  string
	proto string // tcp, udp or sctp
	port  string // the service port, as text
	// endpoints are the ready endpoints, sorted; local are those on this node.
	endpoints, local []endpoint
	// externallyAccessible: the port has a node port or external IPs. extLocal: and
	// externalTrafficPolicy Local.
	externallyAccessible, extLocal bool
	// hasEndpoints: any ready endpoint. hasExternalEndpoints: one that external traffic
	// may use (a local one under extLocal).
	hasEndpoints, hasExternalEndpoints bool
}

// resolvePort resolves one service port; it returns nil for protocols kube-proxy does not
// program. withChains names each endpoint's KUBE-SEP chain (a sha256 each), for the
// builders that use the names.
func resolvePort(opts *Options, svc *core.Service, sp *core.ServicePort, eps *core.Endpoints, withChains bool) *servicePort {
	proto := strings.ToLower(string(sp.Protocol))
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return nil
	}
	name := svc.Namespace + "/" + svc.Name
	if sp.Name != "" {
		name += ":" + sp.Name
	}
	p := &servicePort{svc: svc, sp: sp, name: name, proto: proto, port: strconv.Itoa(int(sp.Port))}
	p.endpoints = portEndpoints(opts, sp, eps, name, proto, withChains)
	for _, e := range p.endpoints {
		if e.local {
			p.local = append(p.local, e)
		}
	}
	p.externallyAccessible = sp.NodePort != 0 || len(svc.Spec.ExternalIPs) > 0
	p.extLocal = p.externallyAccessible && svc.Spec.ExternalTrafficPolicy == core.ServiceExternalTrafficPolicyLocal
	p.hasEndpoints = len(p.endpoints) > 0
	p.hasExternalEndpoints = p.hasEndpoints && (!p.extLocal || len(p.local) > 0)
	return p
}

// udp describes a UDP or TCP port for the conntrack clean-up; ok is false for other
// protocols.
func (p *servicePort) udp() (udpPort, bool) {
	if p.proto != "udp" && p.proto != "tcp" {
		return udpPort{}, false
	}
	u := udpPort{name: p.name, tcp: p.proto == "tcp", vips: append([]string{p.svc.Spec.ClusterIP}, p.svc.Spec.ExternalIPs...), nodePort: p.sp.NodePort}
	for _, e := range p.endpoints {
		u.endpoints = append(u.endpoints, e.ip)
	}
	return u, true
}

// programmable reports whether kube-proxy programs svc at all (not headless, not
// ExternalName, an IPv4 cluster IP).
func programmable(svc *core.Service) bool {
	ip := svc.Spec.ClusterIP
	return ip != "" && ip != "None" && svc.Spec.Type != core.ServiceTypeExternalName && isIPv4(ip)
}

func isIPv4(s string) bool { return net.ParseIP(s).To4() != nil }
