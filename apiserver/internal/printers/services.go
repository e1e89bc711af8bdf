package printers

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

func servicePrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Type", "string", descServiceType),
			column("Cluster-IP", "string", descServiceClusterIP),
			column("External-IP", "string", descServiceExternalIPs),
			column("Port(s)", "string", descServicePorts),
			ageColumn(),
			wide(column("Selector", "string", descServiceSelector)),
		},
		row: rowOf(serviceRow),
	}
}

func serviceRow(svc *core.Service, now time.Time) meta.TableRow {
	clusterIP := "<none>"
	if len(svc.Spec.ClusterIPs) > 0 {
		clusterIP = svc.Spec.ClusterIPs[0]
	}
	return cells(
		svc.Name,
		string(serviceType(svc)),
		clusterIP,
		serviceExternalIP(svc),
		orNone(servicePorts(svc.Spec.Ports)),
		age(&svc.ObjectMeta, now),
		formatLabels(svc.Spec.Selector),
	)
}

// serviceType is spec.type with upstream's default applied: upstream defaults
// it when decoding, so its printer never sees it empty.
func serviceType(svc *core.Service) core.ServiceType {
	if svc.Spec.Type == "" {
		return core.ServiceTypeClusterIP
	}
	return svc.Spec.Type
}

// serviceExternalIP is the EXTERNAL-IP cell: the external IPs of ClusterIP and
// NodePort services ("<none>" without), the load balancer's ingress points
// followed by the external IPs ("<pending>" while there are neither), the
// external name of ExternalName services. The server prints wide, so a long
// load balancer list is not clipped.
func serviceExternalIP(svc *core.Service) string {
	external := svc.Spec.ExternalIPs
	switch serviceType(svc) {
	case core.ServiceTypeClusterIP, core.ServiceTypeNodePort:
		if len(external) == 0 {
			return "<none>"
		}
		return strings.Join(external, ",")
	case core.ServiceTypeLoadBalancer:
		ips := append(loadBalancerIngress(svc.Status.LoadBalancer), external...)
		if len(ips) == 0 {
			return "<pending>"
		}
		return strings.Join(ips, ",")
	case core.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return "<unknown>"
}

// loadBalancerIngress lists the ingress points (IP, else hostname) sorted and
// without duplicates.
func loadBalancerIngress(s core.LoadBalancerStatus) []string {
	var out []string
	for _, in := range s.Ingress {
		switch {
		case in.IP != "":
			out = append(out, in.IP)
		case in.Hostname != "":
			out = append(out, in.Hostname)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// servicePorts is "80/TCP" per port, "80:30001/TCP" with a node port, joined
// with commas. An unset protocol is upstream's default, TCP.
func servicePorts(ports []core.ServicePort) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		proto := p.Protocol
		if proto == "" {
			proto = core.ProtocolTCP
		}
		if p.NodePort > 0 {
			parts[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, proto)
		} else {
			parts[i] = fmt.Sprintf("%d/%s", p.Port, proto)
		}
	}
	return strings.Join(parts, ",")
}

func endpointsPrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Endpoints", "string", descEndpointsSubsets),
			ageColumn(),
		},
		row: rowOf(func(ep *core.Endpoints, now time.Time) meta.TableRow {
			return cells(ep.Name, formatEndpoints(ep), age(&ep.ObjectMeta, now))
		}),
	}
}

// maxEndpoints is how many ready endpoints the ENDPOINTS cell spells out.
const maxEndpoints = 3

// formatEndpoints is the ENDPOINTS cell: the ready addresses as ip:port for
// every port of their subset (bare IPs for a subset without ports), the first
// three spelled out and the rest counted: "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80
// + 2 more...". "<none>" when there are no subsets; not-ready addresses are
// not shown.
func formatEndpoints(ep *core.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	var shown []string
	total := 0
	add := func(s string) {
		total++
		if len(shown) < maxEndpoints {
			shown = append(shown, s)
		}
	}
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			// Headless services may have no ports.
			for _, a := range ss.Addresses {
				add(a.IP)
			}
			continue
		}
		for _, p := range ss.Ports {
			for _, a := range ss.Addresses {
				add(net.JoinHostPort(a.IP, strconv.Itoa(int(p.Port))))
			}
		}
	}
	s := strings.Join(shown, ",")
	if total > maxEndpoints {
		return fmt.Sprintf("%s + %d more...", s, total-maxEndpoints)
	}
	return s
}
