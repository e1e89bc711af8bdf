package resourcequota

import (
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/resource"
)

// Objects are the namespace contents a quota counts.
type Objects struct {
	Pods     []*core.Pod
	Services []*core.Service
	// Counts of the kinds counted by number only, by resource name ("configmaps").
	Counts map[string]int
}

// countedKinds are the resources whose use is their number of objects (besides pods and
// services, which have more to them).
var countedKinds = []string{"configmaps", "secrets", "replicationcontrollers", "resourcequotas", "persistentvolumeclaims"}

// Terminal reports whether a pod no longer uses quota: it succeeded or failed.
func Terminal(p *core.Pod) bool {
	return p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed
}

// Usage computes, for every resource named in hard that Seven knows how to count, how
// much of it objs use. Resources it cannot count are left out, as upstream leaves out
// resources no evaluator covers.
func Usage(hard core.ResourceList, objs Objects) core.ResourceList {
	var live []*core.Pod
	for _, p := range objs.Pods {
		if !Terminal(p) {
			live = append(live, p)
		}
	}
	used := core.ResourceList{}
	for name := range hard {
		n := string(name)
		plain := strings.TrimPrefix(n, "count/")
		switch {
		case plain == "pods":
			used[name] = *resource.NewQuantity(int64(len(live)), resource.DecimalSI)
		case plain == "services":
			used[name] = *resource.NewQuantity(int64(len(objs.Services)), resource.DecimalSI)
		case n == string(core.ResourceServicesLoadBalancers), n == string(core.ResourceServicesNodePorts):
			used[name] = *resource.NewQuantity(serviceUse(objs.Services, name), resource.DecimalSI)
		case contains(countedKinds, plain):
			used[name] = *resource.NewQuantity(int64(objs.Counts[plain]), resource.DecimalSI)
		default:
			if q, ok := podResource(name, live); ok {
				used[name] = q
			}
		}
	}
	return used
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func serviceUse(svcs []*core.Service, name core.ResourceName) int64 {
	var n int64
	for _, s := range svcs {
		switch {
		case name == core.ResourceServicesLoadBalancers && s.Spec.Type == core.ServiceTypeLoadBalancer:
			n++
		case name == core.ResourceServicesNodePorts && (s.Spec.Type == core.ServiceTypeNodePort || s.Spec.Type == core.ServiceTypeLoadBalancer):
			n += int64(len(s.Spec.Ports))
		}
	}
	return n
}

// podResource sums a compute resource quota over pods: requests.X (or its alias X) and
// limits.X for cpu and memory.
func podResource(name core.ResourceName, pods []*core.Pod) (resource.Quantity, bool) {
	var limits bool
	var res core.ResourceName
	switch name {
	case core.ResourceCPU, core.ResourceRequestsCPU:
		res = core.ResourceCPU
	case core.ResourceMemory, core.ResourceRequestsMemory:
		res = core.ResourceMemory
	case core.ResourceLimitsCPU:
		res, limits = core.ResourceCPU, true
	case core.ResourceLimitsMemory:
		res, limits = core.ResourceMemory, true
	default:
		return resource.Quantity{}, false
	}
	format := resource.DecimalSI
	if res == core.ResourceMemory {
		format = resource.BinarySI
	}
	total := *resource.NewQuantity(0, format)
	for _, p := range pods {
		total.Add(PodAmount(p, res, limits))
	}
	return total, true
}

// PodAmount is a pod's request (or limit) of res, upstream's PodRequests: the sum over
// its containers and restartable (sidecar) init containers, at least the largest plain
// init container, plus the pod overhead.
func PodAmount(p *core.Pod, res core.ResourceName, limits bool) resource.Quantity {
	of := func(r core.ResourceRequirements) resource.Quantity {
		l := r.Requests
		if limits {
			l = r.Limits
		}
		return l[res]
	}
	var sum, maxInit resource.Quantity
	for _, c := range p.Spec.Containers {
		sum.Add(of(c.Resources))
	}
	for _, c := range p.Spec.InitContainers {
		q := of(c.Resources)
		if c.RestartPolicy != nil && *c.RestartPolicy == core.ContainerRestartPolicyAlways {
			sum.Add(q)
			continue
		}
		if q.Cmp(maxInit) > 0 {
			maxInit = q
		}
	}
	if maxInit.Cmp(sum) > 0 {
		sum = maxInit
	}
	if o, ok := p.Spec.Overhead[res]; ok {
		sum.Add(o)
	}
	return sum
}

// Equal reports whether two resource lists name the same resources with equal amounts.
func Equal(a, b core.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}
