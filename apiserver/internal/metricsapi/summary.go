package metricsapi

import (
	"math"
	"sort"

	"seven.dev/api/core"
	"seven.dev/api/resource"
)

// summary is the part of a kubelet's /stats/summary (upstream's stats/v1alpha1 Summary)
// that the metrics are made of.
type summary struct {
	Node struct {
		NodeName string       `json:"nodeName"`
		CPU      *cpuStats    `json:"cpu"`
		Memory   *memoryStats `json:"memory"`
	} `json:"node"`
	Pods []podStats `json:"pods"`
}

type cpuStats struct {
	// UsageNanoCores is the rate since the kubelet's previous summary; it is absent from
	// the first summary after a cgroup appears (or the kubelet starts).
	UsageNanoCores       *uint64 `json:"usageNanoCores"`
	UsageCoreNanoSeconds *uint64 `json:"usageCoreNanoSeconds"`
}

type memoryStats struct {
	WorkingSetBytes *uint64 `json:"workingSetBytes"`
}

type podStats struct {
	PodRef struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		UID       string `json:"uid"`
	} `json:"podRef"`
	Containers []containerStats `json:"containers"`
}

type containerStats struct {
	Name   string       `json:"name"`
	CPU    *cpuStats    `json:"cpu"`
	Memory *memoryStats `json:"memory"`
}

// pending reports whether c is a CPU counter without a rate yet, which a second read of
// the summary would give.
func (c *cpuStats) pending() bool {
	return c != nil && c.UsageNanoCores == nil && c.UsageCoreNanoSeconds != nil
}

// lacksRates reports whether some CPU figure of s has no rate yet.
func (s *summary) lacksRates() bool {
	if s.Node.CPU.pending() {
		return true
	}
	for _, p := range s.Pods {
		for _, c := range p.Containers {
			if c.CPU.pending() {
				return true
			}
		}
	}
	return false
}

// usage is cpu and memory as metrics-server writes them: CPU in nanocores ("12345678n",
// canonical so "250m" when round) and the memory working set in binary units ("2748180Ki").
// ok is false when either figure is missing.
func usage(cpu *cpuStats, mem *memoryStats) (core.ResourceList, bool) {
	if cpu == nil || cpu.UsageNanoCores == nil || mem == nil || mem.WorkingSetBytes == nil {
		return nil, false
	}
	return core.ResourceList{
		core.ResourceCPU:    *resource.NewScaledQuantity(clampInt64(*cpu.UsageNanoCores), resource.Nano),
		core.ResourceMemory: *resource.NewQuantity(clampInt64(*mem.WorkingSetBytes), resource.BinarySI),
	}, true
}

func clampInt64(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// nodeUsage is the node's own use, ok false when the kubelet did not report it.
func (s *summary) nodeUsage() (core.ResourceList, bool) {
	return usage(s.Node.CPU, s.Node.Memory)
}

// podKey names a pod in a summary.
type podKey struct{ namespace, name string }

// containerUsage indexes the summary's pods. A pod is present only when every container
// the kubelet reported has both figures, as metrics-server reports a pod only whole;
// containers are sorted by name.
func (s *summary) containerUsage() map[podKey]podUsage {
	out := make(map[podKey]podUsage, len(s.Pods))
	for _, p := range s.Pods {
		if len(p.Containers) == 0 {
			continue
		}
		cs := make([]ContainerMetrics, 0, len(p.Containers))
		whole := true
		for _, c := range p.Containers {
			u, ok := usage(c.CPU, c.Memory)
			if !ok {
				whole = false
				break
			}
			cs = append(cs, ContainerMetrics{Name: c.Name, Usage: u})
		}
		if !whole {
			continue
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
		out[podKey{p.PodRef.Namespace, p.PodRef.Name}] = podUsage{uid: p.PodRef.UID, containers: cs}
	}
	return out
}

// podUsage is what a summary says of one pod.
type podUsage struct {
	uid        string
	containers []ContainerMetrics
}
