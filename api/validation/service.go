package validation

import (
	"fmt"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

const (
	// maxClientIPAffinitySeconds is the longest ClientIP affinity (1 day).
	maxClientIPAffinitySeconds = 86400
	// Service annotations with meaning to validation.
	annotationLoadBalancerSourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges"
	annotationTopologyMode             = "service.kubernetes.io/topology-mode"
	annotationTopologyAwareHints       = "service.kubernetes.io/topology-aware-hints"
	trafficDistributionPreferClose     = "PreferClose"
)

func serviceTypes() []string {
	return []string{
		string(core.ServiceTypeClusterIP), string(core.ServiceTypeExternalName),
		string(core.ServiceTypeLoadBalancer), string(core.ServiceTypeNodePort),
	}
}

func isHeadless(svc *core.Service) bool {
	return len(svc.Spec.ClusterIPs) == 1 && svc.Spec.ClusterIPs[0] == core.ClusterIPNone
}

// ValidateService checks a service. Node port ranges and uniqueness across
// services are the allocator's business.
func ValidateService(svc *core.Service) field.ErrorList {
	metaPath, spec, sp := field.NewPath("metadata"), &svc.Spec, field.NewPath("spec")
	errs := ValidateObjectMeta(&svc.ObjectMeta, true, nameIsDNS1035Label, metaPath)
	if mode, ok := svc.Annotations[annotationTopologyMode]; ok {
		if hints, ok := svc.Annotations[annotationTopologyAwareHints]; ok && hints != mode {
			errs = append(errs, field.Invalid(metaPath.Child("annotations").Key(annotationTopologyMode), mode,
				fmt.Sprintf("must match annotations[%s] when both are specified", annotationTopologyAwareHints)))
		}
	}
	if len(spec.Ports) == 0 && !isHeadless(svc) && spec.Type != core.ServiceTypeExternalName {
		errs = append(errs, field.Required(sp.Child("ports"), ""))
	}
	switch spec.Type {
	case core.ServiceTypeLoadBalancer, core.ServiceTypeNodePort:
		if isHeadless(svc) {
			errs = append(errs, field.Invalid(sp.Child("clusterIPs").Index(0), spec.ClusterIPs[0],
				fmt.Sprintf("may not be set to 'None' for %s services", spec.Type)))
		}
	case core.ServiceTypeExternalName:
		if len(spec.ClusterIPs) > 0 {
			errs = append(errs, field.Forbidden(sp.Child("clusterIPs"), "may not be set for ExternalName services"))
		}
		if len(spec.IPFamilies) > 0 {
			errs = append(errs, field.Forbidden(sp.Child("ipFamilies"), "may not be set for ExternalName services"))
		}
		if spec.IPFamilyPolicy != nil {
			errs = append(errs, field.Forbidden(sp.Child("ipFamilyPolicy"), "may not be set for ExternalName services"))
		}
		// A CNAME may end in a dot to say it is fully qualified.
		if cname := strings.TrimSuffix(spec.ExternalName, "."); cname != "" {
			errs = append(errs, validateDNS1123Subdomain(cname, sp.Child("externalName"))...)
		} else {
			errs = append(errs, field.Required(sp.Child("externalName"), ""))
		}
	}
	portNames := map[string]bool{}
	for i := range spec.Ports {
		errs = append(errs, validateServicePort(&spec.Ports[i], len(spec.Ports) > 1, portNames, sp.Child("ports").Index(i))...)
	}
	if spec.Selector != nil {
		errs = append(errs, ValidateLabels(spec.Selector, sp.Child("selector"))...)
	}
	switch spec.SessionAffinity {
	case "":
		errs = append(errs, field.Required(sp.Child("sessionAffinity"), ""))
	case core.ServiceAffinityClientIP:
		errs = append(errs, validateClientIPAffinity(spec.SessionAffinityConfig, sp.Child("sessionAffinityConfig"))...)
	case core.ServiceAffinityNone:
		if spec.SessionAffinityConfig != nil {
			errs = append(errs, field.Forbidden(sp.Child("sessionAffinityConfig"), fmt.Sprintf("must not be set when session affinity is %s", core.ServiceAffinityNone)))
		}
	default:
		errs = append(errs, field.NotSupported(sp.Child("sessionAffinity"), string(spec.SessionAffinity),
			[]string{string(core.ServiceAffinityClientIP), string(core.ServiceAffinityNone)}))
	}
	errs = append(errs, validateClusterIPFields(svc)...)
	for i, ip := range spec.ExternalIPs {
		p := sp.Child("externalIPs").Index(i)
		if ipErrs := validateIP(p, ip); len(ipErrs) != 0 {
			errs = append(errs, ipErrs...)
		} else {
			errs = append(errs, validateNonSpecialIP(ip, p)...)
		}
	}
	switch spec.Type {
	case "":
		errs = append(errs, field.Required(sp.Child("type"), ""))
	case core.ServiceTypeClusterIP, core.ServiceTypeNodePort, core.ServiceTypeLoadBalancer, core.ServiceTypeExternalName:
	default:
		errs = append(errs, field.NotSupported(sp.Child("type"), string(spec.Type), serviceTypes()))
	}
	if spec.Type == core.ServiceTypeClusterIP {
		for i, p := range spec.Ports {
			if p.NodePort != 0 {
				errs = append(errs, field.Forbidden(sp.Child("ports").Index(i).Child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}
	errs = append(errs, validateServicePortUniqueness(spec.Ports, sp.Child("ports"))...)
	errs = append(errs, validateSourceRanges(svc)...)
	if spec.AllocateLoadBalancerNodePorts != nil && spec.Type != core.ServiceTypeLoadBalancer {
		errs = append(errs, field.Forbidden(sp.Child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"))
	}
	if spec.Type == core.ServiceTypeLoadBalancer && spec.AllocateLoadBalancerNodePorts == nil {
		// Upstream reports this one without the spec prefix.
		errs = append(errs, field.Required(field.NewPath("allocateLoadBalancerNodePorts"), ""))
	}
	errs = append(errs, validateLoadBalancerClass(nil, svc)...)
	errs = append(errs, validateTrafficPolicies(svc)...)
	return errs
}

func validateServicePort(p *core.ServicePort, requireName bool, seen map[string]bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if requireName && p.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), ""))
	} else if p.Name != "" {
		errs = append(errs, validateDNS1123Label(p.Name, path.Child("name"))...)
		if seen[p.Name] {
			errs = append(errs, field.Duplicate(path.Child("name"), p.Name))
		}
		seen[p.Name] = true
	}
	errs = append(errs, invalidEach(path.Child("port"), p.Port, names.IsValidPortNum(int(p.Port)))...)
	errs = append(errs, validateProtocol(p.Protocol, path.Child("protocol"))...)
	errs = append(errs, validatePortNumOrName(p.TargetPort, path.Child("targetPort"))...)
	if p.AppProtocol != nil {
		errs = append(errs, validateQualifiedName(*p.AppProtocol, path.Child("appProtocol"))...)
	}
	return errs
}

// validateServicePortUniqueness rejects a node port, or a port, used twice
// for the same protocol.
func validateServicePortUniqueness(ports []core.ServicePort, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	type key struct {
		protocol core.Protocol
		port     int32
	}
	nodePorts, svcPorts := map[key]bool{}, map[key]bool{}
	for i, p := range ports {
		if p.NodePort == 0 {
			continue
		}
		k := key{p.Protocol, p.NodePort}
		if nodePorts[k] {
			errs = append(errs, field.Duplicate(path.Index(i).Child("nodePort"), p.NodePort))
		}
		nodePorts[k] = true
	}
	for i, p := range ports {
		k := key{p.Protocol, p.Port}
		if svcPorts[k] {
			errs = append(errs, field.Duplicate(path.Index(i), goSyntax(core.ServicePort{Protocol: p.Protocol, Port: p.Port})))
		}
		svcPorts[k] = true
	}
	return errs
}

func validateClientIPAffinity(c *core.SessionAffinityConfig, p *field.Path) field.ErrorList {
	msg := fmt.Sprintf("when session affinity type is %s", core.ServiceAffinityClientIP)
	switch {
	case c == nil:
		return field.ErrorList{field.Required(p, msg)}
	case c.ClientIP == nil:
		return field.ErrorList{field.Required(p.Child("clientIP"), msg)}
	case c.ClientIP.TimeoutSeconds == nil:
		return field.ErrorList{field.Required(p.Child("clientIP", "timeoutSeconds"), msg)}
	}
	if t := *c.ClientIP.TimeoutSeconds; t <= 0 || t > maxClientIPAffinitySeconds {
		return field.ErrorList{field.Invalid(p.Child("clientIP", "timeoutSeconds"), t,
			fmt.Sprintf("must be greater than 0 and less than %d", maxClientIPAffinitySeconds))}
	}
	return nil
}

// validateClusterIPFields checks clusterIP against clusterIPs, the IP
// families and the family policy. ExternalName services were checked for
// having none of them.
func validateClusterIPFields(svc *core.Service) field.ErrorList {
	spec := &svc.Spec
	if spec.Type == core.ServiceTypeExternalName {
		return nil
	}
	var errs field.ErrorList
	sp := field.NewPath("spec")
	ipsPath, famPath := sp.Child("clusterIPs"), sp.Child("ipFamilies")
	if spec.ClusterIP != "" {
		if len(spec.ClusterIPs) == 0 {
			errs = append(errs, field.Required(ipsPath, ""))
		} else if spec.ClusterIPs[0] != spec.ClusterIP {
			errs = append(errs, field.Invalid(ipsPath, goSyntax(spec.ClusterIPs), "first value must match `clusterIP`"))
		}
	} else if len(spec.ClusterIPs) != 0 {
		errs = append(errs, field.Invalid(ipsPath, goSyntax(spec.ClusterIPs), "must be empty when `clusterIP` is not specified"))
	}
	seen := map[core.IPFamily]bool{}
	for i, f := range spec.IPFamilies {
		if f != core.IPv4Protocol && f != core.IPv6Protocol {
			errs = append(errs, field.NotSupported(famPath.Index(i), string(f), []string{string(core.IPv4Protocol), string(core.IPv6Protocol)}))
		}
		if seen[f] {
			errs = append(errs, field.Duplicate(famPath.Index(i), string(f)))
		}
		seen[f] = true
	}
	if pol := spec.IPFamilyPolicy; pol != nil {
		switch *pol {
		case core.IPFamilyPolicySingleStack, core.IPFamilyPolicyPreferDualStack, core.IPFamilyPolicyRequireDualStack:
		default:
			errs = append(errs, field.NotSupported(sp.Child("ipFamilyPolicy"), string(*pol), []string{
				string(core.IPFamilyPolicyPreferDualStack), string(core.IPFamilyPolicyRequireDualStack), string(core.IPFamilyPolicySingleStack)}))
		}
	}
	invalid := false
	for i, ip := range spec.ClusterIPs {
		if i == 0 && ip == core.ClusterIPNone {
			if len(spec.ClusterIPs) > 1 {
				invalid = true
				errs = append(errs, field.Invalid(ipsPath, goSyntax(spec.ClusterIPs), "'None' must be the first and only value"))
			}
			continue
		}
		ipErrs := validateIP(ipsPath.Index(i), ip)
		invalid = invalid || len(ipErrs) != 0
		errs = append(errs, ipErrs...)
	}
	if len(spec.ClusterIPs) > 2 {
		errs = append(errs, field.Invalid(ipsPath, goSyntax(spec.ClusterIPs), "may only hold up to 2 values"))
	}
	if invalid {
		return errs
	}
	if len(spec.ClusterIPs) == 2 && isIPv6String(spec.ClusterIPs[0]) == isIPv6String(spec.ClusterIPs[1]) {
		errs = append(errs, field.Invalid(ipsPath, goSyntax(spec.ClusterIPs), "may specify no more than one IP for each IP family"))
	}
	if !isHeadless(svc) {
		for i, ip := range spec.ClusterIPs {
			if i >= len(spec.IPFamilies) {
				break
			}
			if spec.IPFamilies[i] == core.IPv4Protocol && isIPv6String(ip) {
				errs = append(errs, field.Invalid(ipsPath.Index(i), ip, fmt.Sprintf("expected an IPv4 value as indicated by `ipFamilies[%v]`", i)))
			}
			if spec.IPFamilies[i] == core.IPv6Protocol && !isIPv6String(ip) {
				errs = append(errs, field.Invalid(ipsPath.Index(i), ip, fmt.Sprintf("expected an IPv6 value as indicated by `ipFamilies[%v]`", i)))
			}
		}
	}
	return errs
}

func validateSourceRanges(svc *core.Service) field.ErrorList {
	var errs field.ErrorList
	const msg = "may only be used when `type` is 'LoadBalancer'"
	isLB := svc.Spec.Type == core.ServiceTypeLoadBalancer
	if ranges := svc.Spec.LoadBalancerSourceRanges; len(ranges) > 0 {
		p := field.NewPath("spec", "LoadBalancerSourceRanges")
		if !isLB {
			errs = append(errs, field.Forbidden(p, msg))
		}
		for i, r := range ranges {
			// Space padding is tolerated for compatibility with the annotation.
			errs = append(errs, validateCIDR(p.Index(i), strings.TrimSpace(r))...)
		}
	} else if val, ok := svc.Annotations[annotationLoadBalancerSourceRanges]; ok {
		p := field.NewPath("metadata", "annotations").Key(annotationLoadBalancerSourceRanges)
		if !isLB {
			errs = append(errs, field.Forbidden(p, msg))
		}
		if val = strings.TrimSpace(val); val != "" {
			for _, r := range strings.Split(val, ",") {
				errs = append(errs, validateCIDR(p, strings.TrimSpace(r))...)
			}
		}
	}
	return errs
}

func validateLoadBalancerClass(old, svc *core.Service) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec", "loadBalancerClass")
	cls := svc.Spec.LoadBalancerClass
	if old != nil && old.Spec.Type == core.ServiceTypeLoadBalancer && svc.Spec.Type == core.ServiceTypeLoadBalancer {
		if !semanticEqual(old.Spec.LoadBalancerClass, cls) {
			errs = append(errs, field.Invalid(p, upstreamValue(cls), "may not change once set"))
		}
	}
	if svc.Spec.Type == core.ServiceTypeLoadBalancer {
		if cls != nil {
			errs = append(errs, validateQualifiedName(*cls, p)...)
		}
	} else if cls != nil {
		errs = append(errs, field.Forbidden(p, "may only be used when `type` is 'LoadBalancer'"))
	}
	return errs
}

// validateTrafficPolicies checks externalTrafficPolicy (only for externally
// reachable services), the health check node port (only for Local load
// balancers), internalTrafficPolicy and trafficDistribution.
func validateTrafficPolicies(svc *core.Service) field.ErrorList {
	var errs field.ErrorList
	spec, sp := &svc.Spec, field.NewPath("spec")
	external := spec.Type == core.ServiceTypeLoadBalancer || spec.Type == core.ServiceTypeNodePort ||
		(spec.Type == core.ServiceTypeClusterIP && len(spec.ExternalIPs) > 0)
	etp := sp.Child("externalTrafficPolicy")
	switch {
	case !external && spec.ExternalTrafficPolicy != "":
		errs = append(errs, field.Invalid(etp, string(spec.ExternalTrafficPolicy), "may only be set for externally-accessible services"))
	case external && spec.ExternalTrafficPolicy == "":
		errs = append(errs, field.Required(etp, ""))
	case external && spec.ExternalTrafficPolicy != core.ServiceExternalTrafficPolicyCluster && spec.ExternalTrafficPolicy != core.ServiceExternalTrafficPolicyLocal:
		errs = append(errs, field.NotSupported(etp, string(spec.ExternalTrafficPolicy), []string{
			string(core.ServiceExternalTrafficPolicyCluster), string(core.ServiceExternalTrafficPolicyLocal)}))
	}
	hc := sp.Child("healthCheckNodePort")
	if needsHealthCheck(svc) {
		if spec.HealthCheckNodePort == 0 {
			errs = append(errs, field.Required(hc, ""))
		} else {
			errs = append(errs, invalidEach(hc, spec.HealthCheckNodePort, names.IsValidPortNum(int(spec.HealthCheckNodePort)))...)
		}
	} else if spec.HealthCheckNodePort != 0 {
		errs = append(errs, field.Invalid(hc, spec.HealthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
	}
	itp := sp.Child("internalTrafficPolicy")
	if spec.InternalTrafficPolicy == nil {
		switch spec.Type {
		case core.ServiceTypeClusterIP, core.ServiceTypeNodePort, core.ServiceTypeLoadBalancer:
			errs = append(errs, field.Required(itp, ""))
		}
	} else if p := *spec.InternalTrafficPolicy; p != core.ServiceInternalTrafficPolicyCluster && p != core.ServiceInternalTrafficPolicyLocal {
		errs = append(errs, field.NotSupported(itp, string(p), []string{
			string(core.ServiceInternalTrafficPolicyCluster), string(core.ServiceInternalTrafficPolicyLocal)}))
	}
	if td := spec.TrafficDistribution; td != nil && *td != trafficDistributionPreferClose {
		errs = append(errs, field.NotSupported(sp.Child("trafficDistribution"), *td, []string{trafficDistributionPreferClose}))
	}
	return errs
}

func needsHealthCheck(svc *core.Service) bool {
	return svc.Spec.Type == core.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == core.ServiceExternalTrafficPolicyLocal
}
