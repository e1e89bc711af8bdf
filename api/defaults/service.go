package defaults

import (
	"net/netip"

	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

// Service defaults a service: type, session affinity (and its ClientIP
// timeout), port protocols and target ports, traffic policies, load
// balancer node ports, and the IP family fields upstream's registry fills
// at create time.
func Service(svc *core.Service) {
	spec := &svc.Spec
	if spec.SessionAffinity == "" {
		spec.SessionAffinity = core.ServiceAffinityNone
	}
	switch spec.SessionAffinity {
	case core.ServiceAffinityNone:
		spec.SessionAffinityConfig = nil
	case core.ServiceAffinityClientIP:
		c := spec.SessionAffinityConfig
		if c == nil || c.ClientIP == nil || c.ClientIP.TimeoutSeconds == nil {
			spec.SessionAffinityConfig = &core.SessionAffinityConfig{
				ClientIP: &core.ClientIPConfig{TimeoutSeconds: new(core.DefaultClientIPServiceAffinitySeconds)},
			}
		}
	}
	if spec.Type == "" {
		spec.Type = core.ServiceTypeClusterIP
	}
	for i := range spec.Ports {
		p := &spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = core.ProtocolTCP
		}
		if p.TargetPort == intstr.FromInt32(0) || p.TargetPort == intstr.FromString("") {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	if ExternallyAccessible(svc) && spec.ExternalTrafficPolicy == "" {
		spec.ExternalTrafficPolicy = core.ServiceExternalTrafficPolicyCluster
	}
	if spec.InternalTrafficPolicy == nil {
		switch spec.Type {
		case core.ServiceTypeClusterIP, core.ServiceTypeNodePort, core.ServiceTypeLoadBalancer:
			spec.InternalTrafficPolicy = new(core.ServiceInternalTrafficPolicyCluster)
		}
	}
	if spec.Type == core.ServiceTypeLoadBalancer {
		if spec.AllocateLoadBalancerNodePorts == nil {
			spec.AllocateLoadBalancerNodePorts = new(true)
		}
		for i := range svc.Status.LoadBalancer.Ingress {
			ing := &svc.Status.LoadBalancer.Ingress[i]
			if ing.IP != "" && ing.IPMode == nil {
				ing.IPMode = new(core.LoadBalancerIPModeVIP)
			}
		}
	}
	serviceIPFamilies(spec)
}

// ExternallyAccessible reports whether traffic from outside the cluster can
// reach the service: node ports, load balancers, or external IPs.
func ExternallyAccessible(svc *core.Service) bool {
	switch svc.Spec.Type {
	case core.ServiceTypeLoadBalancer, core.ServiceTypeNodePort:
		return true
	case core.ServiceTypeClusterIP:
		return len(svc.Spec.ExternalIPs) > 0
	}
	return false
}

// serviceIPFamilies keeps clusterIP and clusterIPs in step and fills the
// family policy and families of a single-stack cluster, as upstream's
// registry does before allocating: SingleStack (RequireDualStack for a
// headless service without selector) and the family of the requested
// cluster IP, IPv4 when none was requested. ExternalName services have no
// cluster IP and get none of these.
func serviceIPFamilies(spec *core.ServiceSpec) {
	if spec.Type == core.ServiceTypeExternalName {
		return
	}
	if spec.ClusterIP != "" && len(spec.ClusterIPs) == 0 {
		spec.ClusterIPs = []string{spec.ClusterIP}
	}
	if spec.ClusterIP == "" && len(spec.ClusterIPs) > 0 {
		spec.ClusterIP = spec.ClusterIPs[0]
	}
	headless := spec.ClusterIP == core.ClusterIPNone
	if spec.IPFamilyPolicy == nil {
		if headless && len(spec.Selector) == 0 {
			spec.IPFamilyPolicy = new(core.IPFamilyPolicyRequireDualStack)
		} else {
			spec.IPFamilyPolicy = new(core.IPFamilyPolicySingleStack)
		}
	}
	if len(spec.IPFamilies) == 0 {
		family := core.IPv4Protocol
		if a, err := netip.ParseAddr(spec.ClusterIP); err == nil && a.Is6() && !a.Is4In6() {
			family = core.IPv6Protocol
		}
		spec.IPFamilies = []core.IPFamily{family}
	}
}

// Endpoints gives every endpoint port the TCP protocol when it names none.
func Endpoints(ep *core.Endpoints) {
	for i := range ep.Subsets {
		ports := ep.Subsets[i].Ports
		for j := range ports {
			if ports[j].Protocol == "" {
				ports[j].Protocol = core.ProtocolTCP
			}
		}
	}
}
