package placement

import (
	"seven.dev/api/core"
	"seven.dev/api/resource"
)

// Upstream's defaults for requests a container does not set, used only when scoring so that
// best-effort pods still spread (k8s.io/kubernetes/pkg/scheduler/util.DefaultMilliCPURequest).
const (
	DefaultMilliCPURequest int64 = 100
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// Resource is an amount of the resources the scheduler counts. Scalar holds every other
// resource (extended resources such as nvidia.com/gpu, hugepages) in its integer unit.
type Resource struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	// AllowedPods is the pod count, used for allocatable only.
	AllowedPods int64
	Scalar      map[core.ResourceName]int64
}

// ResourceFromList converts an API resource list.
func ResourceFromList(l core.ResourceList) Resource {
	var r Resource
	for name, q := range l {
		r.set(name, q)
	}
	return r
}

func (r *Resource) set(name core.ResourceName, q resource.Quantity) {
	switch name {
	case core.ResourceCPU:
		r.MilliCPU = q.MilliValue()
	case core.ResourceMemory:
		r.Memory = q.Value()
	case core.ResourceEphemeralStorage:
		r.EphemeralStorage = q.Value()
	case core.ResourcePods:
		r.AllowedPods = q.Value()
	default:
		if r.Scalar == nil {
			r.Scalar = map[core.ResourceName]int64{}
		}
		r.Scalar[name] = q.Value()
	}
}

// Add adds o to r.
func (r *Resource) Add(o Resource) {
	r.MilliCPU += o.MilliCPU
	r.Memory += o.Memory
	r.EphemeralStorage += o.EphemeralStorage
	r.AllowedPods += o.AllowedPods
	if len(o.Scalar) > 0 {
		s := make(map[core.ResourceName]int64, len(r.Scalar)+len(o.Scalar))
		for k, v := range r.Scalar {
			s[k] = v
		}
		for k, v := range o.Scalar {
			s[k] += v
		}
		r.Scalar = s
	}
}

// Sub subtracts o from r.
func (r *Resource) Sub(o Resource) {
	neg := Resource{MilliCPU: -o.MilliCPU, Memory: -o.Memory, EphemeralStorage: -o.EphemeralStorage, AllowedPods: -o.AllowedPods}
	if len(o.Scalar) > 0 {
		neg.Scalar = make(map[core.ResourceName]int64, len(o.Scalar))
		for k, v := range o.Scalar {
			neg.Scalar[k] = -v
		}
	}
	r.Add(neg)
}

// max sets every field of r to the larger of r's and o's.
func (r *Resource) max(o Resource) {
	r.MilliCPU = max(r.MilliCPU, o.MilliCPU)
	r.Memory = max(r.Memory, o.Memory)
	r.EphemeralStorage = max(r.EphemeralStorage, o.EphemeralStorage)
	for k, v := range o.Scalar {
		if r.Scalar == nil {
			r.Scalar = map[core.ResourceName]int64{}
		}
		if v > r.Scalar[k] {
			r.Scalar[k] = v
		}
	}
}

// podRequests computes what a pod asks for with upstream's rule (resourcehelper.PodRequests):
// the sum of its containers, raised to the largest init container (plus the restartable
// "sidecar" init containers started before it), plus the sidecars themselves, plus overhead.
// per gives the requests of one container, so the same rule yields the non-zero variant.
func podRequests(pod *core.Pod, per func(c *core.Container) Resource) Resource {
	var reqs Resource
	for i := range pod.Spec.Containers {
		reqs.Add(per(&pod.Spec.Containers[i]))
	}
	var sidecars, initMax Resource
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		r := per(c)
		if c.RestartPolicy != nil && *c.RestartPolicy == core.ContainerRestartPolicyAlways {
			sidecars.Add(r)
			initMax.max(sidecars)
			continue
		}
		r.Add(sidecars)
		initMax.max(r)
	}
	reqs.Add(sidecars)
	reqs.max(initMax)
	if pod.Spec.Overhead != nil {
		reqs.Add(ResourceFromList(pod.Spec.Overhead))
	}
	return reqs
}

func containerRequests(c *core.Container) Resource { return ResourceFromList(c.Resources.Requests) }

func containerNonZeroRequests(c *core.Container) Resource {
	r := Resource{MilliCPU: DefaultMilliCPURequest, Memory: DefaultMemoryRequest}
	if q, ok := c.Resources.Requests[core.ResourceCPU]; ok {
		r.MilliCPU = q.MilliValue()
	}
	if q, ok := c.Resources.Requests[core.ResourceMemory]; ok {
		r.Memory = q.Value()
	}
	return r
}
