package validation

import (
	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

// ValidateServiceUpdate checks an update of a service: the primary cluster
// IP and IP family may not change (secondary ones may be added, or dropped
// together with a SingleStack policy), nor the load balancer class or the
// health check node port; then the service is validated as a whole. The
// registry is expected to have carried allocated values (cluster IPs, node
// ports) over from the stored object before validating, as upstream's does.
func ValidateServiceUpdate(svc, old *core.Service) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&svc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateClusterIPsUpdate(old, svc)...)
	errs = append(errs, validateIPFamiliesUpdate(old, svc)...)
	errs = append(errs, validateLoadBalancerClass(old, svc)...)
	if needsHealthCheck(old) && needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort != old.Spec.HealthCheckNodePort {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "healthCheckNodePort"), fieldImmutableErrorMsg))
	}
	return append(errs, ValidateService(svc)...)
}

func validateClusterIPsUpdate(old, svc *core.Service) field.ErrorList {
	if svc.Spec.Type == core.ServiceTypeExternalName || old.Spec.Type == core.ServiceTypeExternalName {
		return nil
	}
	if isHeadless(old) && isHeadless(svc) {
		return nil
	}
	var errs field.ErrorList
	p := field.NewPath("spec", "clusterIPs")
	newIPs, oldIPs := svc.Spec.ClusterIPs, old.Spec.ClusterIPs
	value := goSyntax(newIPs)
	switch {
	case len(oldIPs) == len(newIPs):
		for i, ip := range oldIPs {
			if ip != newIPs[i] {
				errs = append(errs, field.Invalid(p.Index(i), value, "may not change once set"))
			}
		}
	case len(oldIPs) > len(newIPs):
		if len(newIPs) == 0 {
			errs = append(errs, field.Invalid(p.Index(0), value, "primary clusterIP can not be unset"))
		}
		if len(oldIPs) > 0 && len(newIPs) > 0 && newIPs[0] != oldIPs[0] {
			errs = append(errs, field.Invalid(p.Index(0), value, "may not change once set"))
		}
		if len(newIPs) == 1 && !isSingleStack(svc) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ipFamilyPolicy"), upstreamValue(svc.Spec.IPFamilyPolicy),
				"must be set to 'SingleStack' when releasing the secondary clusterIP"))
		}
	default:
		if len(oldIPs) > 0 && newIPs[0] != oldIPs[0] {
			errs = append(errs, field.Invalid(p.Index(0), value, "may not change once set"))
		}
	}
	return errs
}

func validateIPFamiliesUpdate(old, svc *core.Service) field.ErrorList {
	if svc.Spec.Type == core.ServiceTypeExternalName || old.Spec.Type == core.ServiceTypeExternalName {
		return nil
	}
	if isHeadless(old) || isHeadless(svc) {
		// Headless services may change families, and so may a service
		// turning headless or back.
		return nil
	}
	var errs field.ErrorList
	p := field.NewPath("spec", "ipFamilies").Index(0)
	newF, oldF := svc.Spec.IPFamilies, old.Spec.IPFamilies
	switch {
	case len(oldF) == len(newF):
		for i, f := range oldF {
			if f != newF[i] {
				errs = append(errs, field.Invalid(p, goSyntax(newF), "may not change once set"))
			}
		}
	case len(oldF) > len(newF):
		if len(svc.Spec.ClusterIPs) == 0 {
			errs = append(errs, field.Invalid(p, goSyntax(newF), "primary ipFamily can not be unset"))
		}
		if len(newF) > 0 && newF[0] != oldF[0] {
			errs = append(errs, field.Invalid(p, goSyntax(svc.Spec.ClusterIPs), "may not change once set"))
		}
		if len(newF) == 1 && !isSingleStack(svc) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ipFamilyPolicy"), upstreamValue(svc.Spec.IPFamilyPolicy),
				"must be set to 'SingleStack' when releasing the secondary ipFamily"))
		}
	default:
		if len(oldF) > 0 && len(newF) > 0 && newF[0] != oldF[0] {
			errs = append(errs, field.Invalid(p, goSyntax(svc.Spec.ClusterIPs), "may not change once set"))
		}
	}
	return errs
}

func isSingleStack(svc *core.Service) bool {
	return svc.Spec.IPFamilyPolicy != nil && *svc.Spec.IPFamilyPolicy == core.IPFamilyPolicySingleStack
}

// ValidateServiceStatusUpdate checks a write to services/status: the load
// balancer ingress points.
func ValidateServiceStatusUpdate(svc, old *core.Service) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&svc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("status", "loadBalancer", "ingress")
	ingress := svc.Status.LoadBalancer.Ingress
	if svc.Spec.Type != core.ServiceTypeLoadBalancer && len(ingress) != 0 {
		return append(errs, field.Forbidden(p, "may only be used when `spec.type` is 'LoadBalancer'"))
	}
	for i, ing := range ingress {
		ip := p.Index(i)
		if ing.IP != "" {
			errs = append(errs, validateIP(ip.Child("ip"), ing.IP)...)
		}
		switch {
		case ing.IPMode == nil && ing.IP != "":
			errs = append(errs, field.Required(ip.Child("ipMode"), "must be specified when `ip` is set"))
		case ing.IPMode != nil && ing.IP == "":
			errs = append(errs, field.Forbidden(ip.Child("ipMode"), "may not be specified when `ip` is not set"))
		case ing.IPMode != nil && *ing.IPMode != core.LoadBalancerIPModeVIP && *ing.IPMode != core.LoadBalancerIPModeProxy:
			errs = append(errs, field.NotSupported(ip.Child("ipMode"), string(*ing.IPMode), []string{
				string(core.LoadBalancerIPModeProxy), string(core.LoadBalancerIPModeVIP)}))
		}
		if ing.Hostname != "" {
			errs = append(errs, validateDNS1123Subdomain(ing.Hostname, ip.Child("hostname"))...)
			if _, isIP := parseIPSloppy(ing.Hostname); isIP {
				errs = append(errs, field.Invalid(ip.Child("hostname"), ing.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return errs
}

// ValidateEndpoints checks endpoints on create and update: every subset has
// addresses, every address is a usable IP, every port is valid.
func ValidateEndpoints(ep *core.Endpoints) field.ErrorList {
	errs := ValidateObjectMeta(&ep.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	for i := range ep.Subsets {
		ss, p := &ep.Subsets[i], field.NewPath("subsets").Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(p, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			errs = append(errs, validateEndpointAddress(&ss.Addresses[j], p.Child("addresses").Index(j))...)
		}
		for j := range ss.NotReadyAddresses {
			errs = append(errs, validateEndpointAddress(&ss.NotReadyAddresses[j], p.Child("notReadyAddresses").Index(j))...)
		}
		for j := range ss.Ports {
			errs = append(errs, validateEndpointPort(&ss.Ports[j], len(ss.Ports) > 1, p.Child("ports").Index(j))...)
		}
	}
	return errs
}

// ValidateEndpointsUpdate checks an update of endpoints.
func ValidateEndpointsUpdate(ep, old *core.Endpoints) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ep.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateEndpoints(ep)...)
}

func validateEndpointAddress(a *core.EndpointAddress, p *field.Path) field.ErrorList {
	errs := validateIP(p.Child("ip"), a.IP)
	if a.Hostname != "" {
		errs = append(errs, validateDNS1123Label(a.Hostname, p.Child("hostname"))...)
	}
	if a.NodeName != nil {
		errs = append(errs, invalidEach(p.Child("nodeName"), *a.NodeName, nameIsDNSSubdomain(*a.NodeName, false))...)
	}
	return append(errs, validateNonSpecialIP(a.IP, p.Child("ip"))...)
}

func validateEndpointPort(port *core.EndpointPort, requireName bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if requireName && port.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	} else if port.Name != "" {
		errs = append(errs, validateDNS1123Label(port.Name, p.Child("name"))...)
	}
	errs = append(errs, invalidEach(p.Child("port"), port.Port, names.IsValidPortNum(int(port.Port)))...)
	errs = append(errs, validateProtocol(port.Protocol, p.Child("protocol"))...)
	if port.AppProtocol != nil {
		errs = append(errs, validateQualifiedName(*port.AppProtocol, p.Child("appProtocol"))...)
	}
	return errs
}
