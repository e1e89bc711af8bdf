package describe

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
	"seven.dev/api/resource"
)

func describeService(s *core.Service, ep *core.Endpoints, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", s.Name)
	w.Write(l0, "Namespace:\t%s\n", s.Namespace)
	printLabels(w, "Labels", s.Labels)
	printAnnotations(w, "Annotations", s.Annotations)
	w.Write(l0, "Selector:\t%s\n", formatLabels(s.Spec.Selector))
	w.Write(l0, "Type:\t%s\n", s.Spec.Type)
	if s.Spec.IPFamilyPolicy != nil {
		w.Write(l0, "IP Family Policy:\t%s\n", *s.Spec.IPFamilyPolicy)
	}
	if len(s.Spec.IPFamilies) > 0 {
		var fams []string
		for _, f := range s.Spec.IPFamilies {
			fams = append(fams, string(f))
		}
		w.Write(l0, "IP Families:\t%s\n", strings.Join(fams, ","))
	} else {
		w.Write(l0, "IP Families:\t%s\n", "<none>")
	}
	w.Write(l0, "IP:\t%s\n", s.Spec.ClusterIP)
	if len(s.Spec.ClusterIPs) > 0 {
		w.Write(l0, "IPs:\t%s\n", strings.Join(s.Spec.ClusterIPs, ","))
	} else {
		w.Write(l0, "IPs:\t%s\n", "<none>")
	}
	if len(s.Spec.ExternalIPs) > 0 {
		w.Write(l0, "External IPs:\t%v\n", strings.Join(s.Spec.ExternalIPs, ","))
	}
	if s.Spec.LoadBalancerIP != "" {
		w.Write(l0, "IP:\t%s\n", s.Spec.LoadBalancerIP)
	}
	if s.Spec.ExternalName != "" {
		w.Write(l0, "External Name:\t%s\n", s.Spec.ExternalName)
	}
	for _, sp := range s.Spec.Ports {
		name := sp.Name
		if name == "" {
			name = "<unset>"
		}
		w.Write(l0, "Port:\t%s\t%d/%s\n", name, sp.Port, sp.Protocol)
		if sp.TargetPort.Type == intstr.Int {
			w.Write(l0, "TargetPort:\t%d/%s\n", sp.TargetPort.IntVal, sp.Protocol)
		} else {
			w.Write(l0, "TargetPort:\t%s/%s\n", sp.TargetPort.StrVal, sp.Protocol)
		}
		if sp.NodePort != 0 {
			w.Write(l0, "NodePort:\t%s\t%d/%s\n", name, sp.NodePort, sp.Protocol)
		}
		w.Write(l0, "Endpoints:\t%s\n", formatEndpoints(ep, sp.Name))
	}
	w.Write(l0, "Session Affinity:\t%s\n", s.Spec.SessionAffinity)
	if s.Spec.ExternalTrafficPolicy != "" {
		w.Write(l0, "External Traffic Policy:\t%s\n", s.Spec.ExternalTrafficPolicy)
	}
	if s.Spec.InternalTrafficPolicy != nil {
		w.Write(l0, "Internal Traffic Policy:\t%s\n", *s.Spec.InternalTrafficPolicy)
	}
	if s.Spec.HealthCheckNodePort != 0 {
		w.Write(l0, "HealthCheck NodePort:\t%d\n", s.Spec.HealthCheckNodePort)
	}
	if len(s.Spec.LoadBalancerSourceRanges) > 0 {
		w.Write(l0, "LoadBalancer Source Ranges:\t%v\n", strings.Join(s.Spec.LoadBalancerSourceRanges, ","))
	}
	describeEvents(events, w)
	return w.String()
}

// formatEndpoints lists up to three addresses of the port as upstream does.
func formatEndpoints(ep *core.Endpoints, port string) string {
	if ep == nil || len(ep.Subsets) == 0 {
		return "<none>"
	}
	var list []string
	const max = 3
	more, count := false, 0
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				if len(list) == max {
					more = true
					break
				}
				list = append(list, a.IP)
			}
			continue
		}
		for _, p := range ss.Ports {
			if p.Name != port {
				continue
			}
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				if len(list) == max {
					more = true
					break
				}
				list = append(list, net.JoinHostPort(a.IP, strconv.Itoa(int(p.Port))))
			}
		}
	}
	ret := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", ret, count-max)
	}
	if ret == "" {
		return "<none>"
	}
	return ret
}

func describeNode(n *core.Node, lease *coordination.Lease, leaseErr error, pods []core.Pod, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", n.Name)
	var roles []string
	for k := range n.Labels {
		if r, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && r != "" {
			roles = append(roles, r)
		} else if k == "kubernetes.io/role" {
			roles = append(roles, n.Labels[k])
		}
	}
	sort.Strings(roles)
	if len(roles) > 0 {
		w.Write(l0, "Roles:\t%s\n", strings.Join(roles, ","))
	} else {
		w.Write(l0, "Roles:\t%s\n", "<none>")
	}
	printLabels(w, "Labels", n.Labels)
	printAnnotations(w, "Annotations", n.Annotations)
	w.Write(l0, "CreationTimestamp:\t%s\n", rfc1123(n.CreationTimestamp))
	printTaints(w, "Taints", n.Spec.Taints)
	w.Write(l0, "Unschedulable:\t%v\n", n.Spec.Unschedulable)
	if leaseErr != nil || lease == nil {
		w.Write(l0, "Lease:\tFailed to get lease: %s\n", leaseErr)
	} else {
		w.Write(l0, "Lease:\n")
		holder, acquire, renew := "<unset>", "<unset>", "<unset>"
		if lease.Spec.HolderIdentity != nil {
			holder = *lease.Spec.HolderIdentity
		}
		if lease.Spec.AcquireTime != nil {
			acquire = lease.Spec.AcquireTime.Time.Format("Mon, 02 Jan 2006 15:04:05 -0700")
		}
		if lease.Spec.RenewTime != nil {
			renew = lease.Spec.RenewTime.Time.Format("Mon, 02 Jan 2006 15:04:05 -0700")
		}
		w.Write(l1, "HolderIdentity:\t%s\n", holder)
		w.Write(l1, "AcquireTime:\t%s\n", acquire)
		w.Write(l1, "RenewTime:\t%s\n", renew)
	}
	if len(n.Status.Conditions) > 0 {
		w.Write(l0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
		w.Write(l1, "----\t------\t-----------------\t------------------\t------\t-------\n")
		for _, c := range n.Status.Conditions {
			w.Write(l1, "%v \t%v \t%s \t%s \t%v \t%v\n", c.Type, c.Status, rfc1123(c.LastHeartbeatTime), rfc1123(c.LastTransitionTime), c.Reason, c.Message)
		}
	}
	w.Write(l0, "Addresses:\n")
	for _, a := range n.Status.Addresses {
		w.Write(l1, "%s:\t%s\n", a.Type, a.Address)
	}
	printList := func(l core.ResourceList) {
		for _, r := range sortedResourceNames(l) {
			q := l[r]
			w.Write(l0, "  %s:\t%s\n", r, q.String())
		}
	}
	if len(n.Status.Capacity) > 0 {
		w.Write(l0, "Capacity:\n")
		printList(n.Status.Capacity)
	}
	if len(n.Status.Allocatable) > 0 {
		w.Write(l0, "Allocatable:\n")
		printList(n.Status.Allocatable)
	}
	i := n.Status.NodeInfo
	w.Write(l0, "System Info:\n")
	w.Write(l0, "  Machine ID:\t%s\n", i.MachineID)
	w.Write(l0, "  System UUID:\t%s\n", i.SystemUUID)
	w.Write(l0, "  Boot ID:\t%s\n", i.BootID)
	w.Write(l0, "  Kernel Version:\t%s\n", i.KernelVersion)
	w.Write(l0, "  OS Image:\t%s\n", i.OSImage)
	w.Write(l0, "  Operating System:\t%s\n", i.OperatingSystem)
	w.Write(l0, "  Architecture:\t%s\n", i.Architecture)
	w.Write(l0, "  Container Runtime Version:\t%s\n", i.ContainerRuntimeVersion)
	w.Write(l0, "  Kubelet Version:\t%s\n", i.KubeletVersion)
	w.Write(l0, "  Kube-Proxy Version:\t%s\n", i.KubeProxyVersion)
	if n.Spec.PodCIDR != "" {
		w.Write(l0, "PodCIDR:\t%s\n", n.Spec.PodCIDR)
	}
	if len(n.Spec.PodCIDRs) > 0 {
		w.Write(l0, "PodCIDRs:\t%s\n", strings.Join(n.Spec.PodCIDRs, ","))
	}
	if n.Spec.ProviderID != "" {
		w.Write(l0, "ProviderID:\t%s\n", n.Spec.ProviderID)
	}
	describeNodeResources(pods, n, w)
	describeEvents(events, w)
	return w.String()
}

func podTotals(p *core.Pod) (req, lim core.ResourceList) {
	req, lim = core.ResourceList{}, core.ResourceList{}
	for _, c := range p.Spec.Containers {
		for n, q := range c.Resources.Requests {
			v := req[n]
			v.Add(q)
			req[n] = v
		}
		for n, q := range c.Resources.Limits {
			v := lim[n]
			v.Add(q)
			lim[n] = v
		}
	}
	return req, lim
}

func describeNodeResources(pods []core.Pod, n *core.Node, w *prefixWriter) {
	w.Write(l0, "Non-terminated Pods:\t(%d in total)\n", len(pods))
	w.Write(l1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
	w.Write(l1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
	alloc := n.Status.Capacity
	if len(n.Status.Allocatable) > 0 {
		alloc = n.Status.Allocatable
	}
	acpu, amem := alloc[core.ResourceCPU], alloc[core.ResourceMemory]
	pct := func(a, b int64) int64 { return int64(float64(a) / float64(b) * 100) }
	totalReq, totalLim := core.ResourceList{}, core.ResourceList{}
	for _, p := range pods {
		req, lim := podTotals(&p)
		cr, cl, mr, ml := req[core.ResourceCPU], lim[core.ResourceCPU], req[core.ResourceMemory], lim[core.ResourceMemory]
		w.Write(l1, "%s\t%s\t\t%s (%d%%)\t%s (%d%%)\t%s (%d%%)\t%s (%d%%)\t%s\n", p.Namespace, p.Name,
			cr.String(), pct(cr.MilliValue(), acpu.MilliValue()), cl.String(), pct(cl.MilliValue(), acpu.MilliValue()),
			mr.String(), pct(mr.Value(), amem.Value()), ml.String(), pct(ml.Value(), amem.Value()), since(p.CreationTimestamp))
		for k, q := range req {
			v := totalReq[k]
			v.Add(q)
			totalReq[k] = v
		}
		for k, q := range lim {
			v := totalLim[k]
			v.Add(q)
			totalLim[k] = v
		}
	}
	w.Write(l0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
	w.Write(l1, "Resource\tRequests\tLimits\n")
	w.Write(l1, "--------\t--------\t------\n")
	for _, r := range []core.ResourceName{core.ResourceCPU, core.ResourceMemory, core.ResourceEphemeralStorage} {
		rq, lm, al := totalReq[r], totalLim[r], alloc[r]
		var fr, fl int64
		if r == core.ResourceCPU {
			if al.MilliValue() != 0 {
				fr, fl = pct(rq.MilliValue(), al.MilliValue()), pct(lm.MilliValue(), al.MilliValue())
			}
		} else if al.Value() != 0 {
			fr, fl = pct(rq.Value(), al.Value()), pct(lm.Value(), al.Value())
		}
		w.Write(l1, "%s\t%s (%d%%)\t%s (%d%%)\n", r, quantity(rq), fr, quantity(lm), fl)
	}
}

func quantity(q resource.Quantity) string { return q.String() }

func describeNamespace(ns *core.Namespace) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", ns.Name)
	printLabels(w, "Labels", ns.Labels)
	printAnnotations(w, "Annotations", ns.Annotations)
	w.Write(l0, "Status:\t%s\n", ns.Status.Phase)
	w.Write(l0, "\n")
	w.Write(l0, "No resource quota.\n")
	w.Write(l0, "\n")
	w.Write(l0, "No LimitRange resource.\n")
	return w.String()
}

func describeEndpoints(ep *core.Endpoints, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", ep.Name)
	w.Write(l0, "Namespace:\t%s\n", ep.Namespace)
	printLabels(w, "Labels", ep.Labels)
	printAnnotations(w, "Annotations", ep.Annotations)
	w.Write(l0, "Subsets:\n")
	for _, ss := range ep.Subsets {
		var addrs, notReady []string
		for _, a := range ss.Addresses {
			addrs = append(addrs, a.IP)
		}
		for _, a := range ss.NotReadyAddresses {
			notReady = append(notReady, a.IP)
		}
		w.Write(l1, "Addresses:\t%s\n", orNone(strings.Join(addrs, ",")))
		w.Write(l1, "NotReadyAddresses:\t%s\n", orNone(strings.Join(notReady, ",")))
		if len(ss.Ports) > 0 {
			w.Write(l1, "Ports:\n")
			w.Write(l2, "Name\tPort\tProtocol\n")
			w.Write(l2, "----\t----\t--------\n")
			for _, p := range ss.Ports {
				name := p.Name
				if name == "" {
					name = "<unset>"
				}
				w.Write(l2, "%s\t%d\t%s\n", name, p.Port, p.Protocol)
			}
		}
		w.Write(l0, "\n")
	}
	describeEvents(events, w)
	return w.String()
}

func describeConfigMap(cm *core.ConfigMap, events []core.Event) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", cm.Name)
	w.Write(l0, "Namespace:\t%s\n", cm.Namespace)
	printLabels(w, "Labels", cm.Labels)
	printAnnotations(w, "Annotations", cm.Annotations)
	w.Write(l0, "\nData\n====\n")
	for _, k := range sortedKeys(cm.Data) {
		w.Write(l0, "%s:\n----\n", k)
		w.Write(l0, "%s\n", cm.Data[k])
		w.Write(l0, "\n")
	}
	w.Write(l0, "\nBinaryData\n====\n")
	for _, k := range sortedKeys(cm.BinaryData) {
		w.Write(l0, "%s: %s bytes\n", k, strconv.Itoa(len(cm.BinaryData[k])))
	}
	w.Write(l0, "\n")
	describeEvents(events, w)
	return w.String()
}

func describeSecret(s *core.Secret) string {
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", s.Name)
	w.Write(l0, "Namespace:\t%s\n", s.Namespace)
	printLabels(w, "Labels", s.Labels)
	printAnnotations(w, "Annotations", s.Annotations)
	w.Write(l0, "\nType:\t%s\n", s.Type)
	w.Write(l0, "\nData\n====\n")
	for _, k := range sortedKeys(s.Data) {
		if k == core.ServiceAccountTokenKey && s.Type == core.SecretTypeServiceAccountToken {
			w.Write(l0, "%s:\t%s\n", k, string(s.Data[k]))
		} else {
			w.Write(l0, "%s:\t%d bytes\n", k, len(s.Data[k]))
		}
	}
	return w.String()
}

// describeGeneric prints any object as upstream's generic describer does: the usual header,
// then its fields with capitalised names.
func describeGeneric(data []byte, events []core.Event) (string, error) {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return "", err
	}
	md, _ := obj["metadata"].(map[string]any)
	w := newWriter()
	w.Write(l0, "Name:\t%s\n", md["name"])
	if ns, ok := md["namespace"].(string); ok {
		w.Write(l0, "Namespace:\t%s\n", ns)
	} else {
		w.Write(l0, "Namespace:\t\n")
	}
	printLabels(w, "Labels", stringMap(md["labels"]))
	printAnnotations(w, "Annotations", stringMap(md["annotations"]))
	w.Write(l0, "API Version:\t%s\n", obj["apiVersion"])
	w.Write(l0, "Kind:\t%s\n", obj["kind"])
	rest := map[string]any{}
	for k, v := range obj {
		if k != "apiVersion" && k != "kind" {
			rest[k] = v
		}
	}
	if m, ok := rest["metadata"].(map[string]any); ok {
		c := map[string]any{}
		for k, v := range m {
			switch k {
			case "name", "namespace", "labels", "annotations":
			default:
				c[k] = v
			}
		}
		rest["metadata"] = c
	}
	printContent(w, 0, rest)
	describeEvents(events, w)
	return w.String(), nil
}

func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out
}

func printContent(w *prefixWriter, level int, m map[string]any) {
	for _, k := range sortedKeys(m) {
		name := strings.ToUpper(k[:1]) + k[1:]
		switch v := m[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				continue
			}
			w.Write(level, "%s:\n", name)
			printContent(w, level+1, v)
		case []any:
			w.Write(level, "%s:\n", name)
			for _, it := range v {
				if sub, ok := it.(map[string]any); ok {
					printContent(w, level+1, sub)
				} else {
					w.Write(level+1, "%v\n", it)
				}
			}
		default:
			w.Write(level, "%s:\t%v\n", name, v)
		}
	}
}
