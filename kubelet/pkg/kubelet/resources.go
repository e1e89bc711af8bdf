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
// (oomScoreAdj) on a node of memCapacity bytes. Pure.
func resources(pod *core.Pod, c *core.Container, memCapacity int64) container.Resources {
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
	r.OOMScoreAdj = oomScoreAdj(pod, c, memCapacity)
	return r
}

// OOM score adjustments of upstream's kubelet: Guaranteed containers are killed last,
// BestEffort first.
const (
	guaranteedOOMScoreAdj = -997
	bestEffortOOMScoreAdj = 1000
)

// oomScoreAdj is a container's OOM score adjustment: by QoS class, and for a Burstable one
// 1000 less its memory request's thousandths of the node's memory, kept between those of
// Guaranteed and BestEffort containers (3..999), so that the more memory a container asked
// for the later it is killed. Pure.
func oomScoreAdj(pod *core.Pod, c *core.Container, memCapacity int64) int {
	switch qosClass(&pod.Spec) {
	case core.PodQOSGuaranteed:
		return guaranteedOOMScoreAdj
	case core.PodQOSBestEffort:
		return bestEffortOOMScoreAdj
	}
	adj := int64(bestEffortOOMScoreAdj - 1)
	if req, ok := c.Resources.Requests[core.ResourceMemory]; ok && memCapacity > 0 {
		adj = 1000 - 1000*req.Value()/memCapacity
	}
	return int(min(max(adj, 1000+guaranteedOOMScoreAdj), bestEffortOOMScoreAdj-1))
}

// podCgroup is the pod level of the cgroup tree, as upstream's kubelet sets it: the QoS
// class's directory; CPU shares from the sum of the containers' CPU requests; CPU quota and
// memory limit from the sum of their limits when every container has one (else unlimited).
// Init containers run one at a time before the others, so each figure is the larger of the
// app containers' sum and the largest init container's. Pure.
func podCgroup(pod *core.Pod) *container.PodCgroup {
	app, init := podTotals(pod.Spec.Containers, false), podTotals(pod.Spec.InitContainers, true)
	pc := &container.PodCgroup{CPUShares: minShares}
	if s := uint64(max(app.cpuReq, init.cpuReq) * 1024 / 1000); s > minShares {
		pc.CPUShares = s
	}
	if app.allCPULimits && init.allCPULimits {
		pc.CPUPeriod = quotaPeriod
		pc.CPUQuota = max(max(app.cpuLim, init.cpuLim)*quotaPeriod/1000, minQuota)
	}
	if app.allMemLimits && init.allMemLimits {
		pc.MemoryLimit = max(app.mem, init.mem)
	}
	switch qosClass(&pod.Spec) {
	case core.PodQOSBurstable:
		pc.QoSDir = "burstable"
	case core.PodQOSBestEffort:
		pc.QoSDir = "besteffort"
	}
	return pc
}

// totals are containers' CPU requests and limits (millicores) and memory limits (bytes),
// and whether every container has each limit (true for no containers).
type totals struct {
	cpuReq, cpuLim, mem        int64
	allCPULimits, allMemLimits bool
}

// podTotals sums cs, or takes the largest of each figure when largest is set.
func podTotals(cs []core.Container, largest bool) totals {
	t := totals{allCPULimits: true, allMemLimits: true}
	agg := func(acc *int64, v int64) {
		if largest {
			*acc = max(*acc, v)
		} else {
			*acc += v
		}
	}
	for i := range cs {
		req, hasReq := cs[i].Resources.Requests[core.ResourceCPU]
		lim, hasLim := cs[i].Resources.Limits[core.ResourceCPU]
		if !hasReq && hasLim {
			req, hasReq = lim, true
		}
		if hasReq {
			agg(&t.cpuReq, req.MilliValue())
		}
		if hasLim && lim.MilliValue() > 0 {
			agg(&t.cpuLim, lim.MilliValue())
		} else {
			t.allCPULimits = false
		}
		if m, ok := cs[i].Resources.Limits[core.ResourceMemory]; ok && m.Value() > 0 {
			agg(&t.mem, m.Value())
		} else {
			t.allMemLimits = false
		}
	}
	return t
}
