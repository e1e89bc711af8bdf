package kubelet

import (
	"seven.dev/api/core"
	"seven.dev/kubelet/pkg/container"
)

const (
	minShares   = 2
	quotaPeriod = 100000 // µs, upstream's default CFS period
	minQuota    = 1000
)

// resources maps a container's requests and limits to cgroup settings the way the seeds'
// kubelet does: shares = requests.cpu * 1024 (limits.cpu when no request), quota =
// limits.cpu * period, memory limit = limits.memory, and upstream's OOM score adjustment
// by QoS class. Pure.
func resources(pod *core.Pod, c *core.Container) container.Resources {
	var r container.Resources
	cpuReq, hasReq := c.Resources.Requests[core.ResourceCPU]
	cpuLim, hasLim := c.Resources.Limits[core.ResourceCPU]
	if !hasReq && hasLim {
		cpuReq, hasReq = cpuLim, true
	}
	r.CPUShares = minShares
	if hasReq {
		if s := uint64(cpuReq.MilliValue() * 1024 / 1000); s > minShares {
			r.CPUShares = s
		}
	}
	if hasLim && cpuLim.MilliValue() > 0 {
		r.CPUPeriod = quotaPeriod
		r.CPUQuota = max(cpuLim.MilliValue()*quotaPeriod/1000, minQuota)
	}
	if m, ok := c.Resources.Limits[core.ResourceMemory]; ok {
		r.MemoryLimit = m.Value()
	}
	switch qosClass(&pod.Spec) {
	case core.PodQOSGuaranteed:
		r.OOMScoreAdj = -997
	case core.PodQOSBestEffort:
		r.OOMScoreAdj = 1000
	default:
		r.OOMScoreAdj = 500
	}
	return r
}
