package kubelet

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"seven.dev/kubelet/pkg/container"
)

// Summary types: the subset of upstream's stats/v1alpha1 Summary that the kubelet fills.
type (
	cpuStats struct {
		Time                 time.Time `json:"time"`
		UsageNanoCores       *uint64   `json:"usageNanoCores,omitempty"`
		UsageCoreNanoSeconds *uint64   `json:"usageCoreNanoSeconds,omitempty"`
	}
	memoryStats struct {
		Time            time.Time `json:"time"`
		UsageBytes      *uint64   `json:"usageBytes,omitempty"`
		WorkingSetBytes *uint64   `json:"workingSetBytes,omitempty"`
	}
	containerStats struct {
		Name      string       `json:"name"`
		StartTime time.Time    `json:"startTime"`
		CPU       *cpuStats    `json:"cpu,omitempty"`
		Memory    *memoryStats `json:"memory,omitempty"`
	}
	podStats struct {
		PodRef struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
			UID       string `json:"uid"`
		} `json:"podRef"`
		StartTime  time.Time        `json:"startTime"`
		Containers []containerStats `json:"containers"`
		CPU        *cpuStats        `json:"cpu,omitempty"`
		Memory     *memoryStats     `json:"memory,omitempty"`
	}
	nodeStats struct {
		NodeName string       `json:"nodeName"`
		CPU      *cpuStats    `json:"cpu,omitempty"`
		Memory   *memoryStats `json:"memory,omitempty"`
	}
)

// cpuSampler turns cumulative CPU usage into a rate between calls.
type cpuSampler struct {
	mu   sync.Mutex
	last map[string][2]uint64 // cgroup -> (usage ns, unix ns)
}

func (s *cpuSampler) rate(key string, usage uint64, now time.Time) *uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last = map[string][2]uint64{}
	}
	prev, ok := s.last[key]
	s.last[key] = [2]uint64{usage, uint64(now.UnixNano())}
	if !ok || uint64(now.UnixNano()) <= prev[1] || usage < prev[0] {
		return nil
	}
	r := (usage - prev[0]) * 1e9 / (uint64(now.UnixNano()) - prev[1])
	return &r
}

func readUint(path string) (uint64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return v, err == nil
}

func statField(path, key string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+" "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// cgroupStats reads CPU and memory use of a cgroup (v1 or v2).
func (k *Kubelet) cgroupStats(cg string, now time.Time) (*cpuStats, *memoryStats) {
	const root = "/sys/fs/cgroup"
	var usage, mem, inactive uint64
	var okCPU, okMem bool
	if v, ok := statField(filepath.Join(root, cg, "cpu.stat"), "usage_usec"); ok { // v2
		usage, okCPU = v*1000, true
		mem, okMem = readUint(filepath.Join(root, cg, "memory.current"))
		inactive, _ = statField(filepath.Join(root, cg, "memory.stat"), "inactive_file")
	} else {
		for _, d := range []string{"cpuacct", "cpu,cpuacct"} {
			if usage, okCPU = readUint(filepath.Join(root, d, cg, "cpuacct.usage")); okCPU {
				break
			}
		}
		mem, okMem = readUint(filepath.Join(root, "memory", cg, "memory.usage_in_bytes"))
		inactive, _ = statField(filepath.Join(root, "memory", cg, "memory.stat"), "total_inactive_file")
	}
	var c *cpuStats
	var m *memoryStats
	if okCPU {
		u := usage
		c = &cpuStats{Time: now, UsageCoreNanoSeconds: &u, UsageNanoCores: k.cpu.rate(cg, usage, now)}
	}
	if okMem {
		ws := mem
		if inactive < ws {
			ws -= inactive
		}
		u := mem
		m = &memoryStats{Time: now, UsageBytes: &u, WorkingSetBytes: &ws}
	}
	return c, m
}

func addCPU(sum *cpuStats, c *cpuStats) *cpuStats {
	if c == nil {
		return sum
	}
	if sum == nil {
		sum = &cpuStats{Time: c.Time, UsageCoreNanoSeconds: new(uint64), UsageNanoCores: new(uint64)}
	}
	if c.UsageCoreNanoSeconds != nil {
		*sum.UsageCoreNanoSeconds += *c.UsageCoreNanoSeconds
	}
	if c.UsageNanoCores != nil {
		*sum.UsageNanoCores += *c.UsageNanoCores
	}
	return sum
}

func addMem(sum *memoryStats, m *memoryStats) *memoryStats {
	if m == nil {
		return sum
	}
	if sum == nil {
		sum = &memoryStats{Time: m.Time, UsageBytes: new(uint64), WorkingSetBytes: new(uint64)}
	}
	*sum.UsageBytes += *m.UsageBytes
	*sum.WorkingSetBytes += *m.WorkingSetBytes
	return sum
}

// serveStats serves /stats/summary: CPU and memory per pod and container, from cgroups.
func (k *Kubelet) serveStats(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	pods, err := k.rt.ListPods(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := struct {
		Node nodeStats  `json:"node"`
		Pods []podStats `json:"pods"`
	}{Node: nodeStats{NodeName: k.opts.NodeName}, Pods: []podStats{}}
	out.Node.CPU, out.Node.Memory = k.cgroupStats("/", now)
	for _, p := range pods {
		ps := podStats{}
		ps.PodRef.Name, ps.PodRef.Namespace, ps.PodRef.UID = p.Pod.Name, p.Pod.Namespace, p.Pod.UID
		ps.Containers = []containerStats{}
		for _, c := range p.Containers {
			if c.State != container.StateRunning || c.Cgroup == "" {
				continue
			}
			cs := containerStats{Name: c.Name, StartTime: c.StartedAt}
			cs.CPU, cs.Memory = k.cgroupStats(c.Cgroup, now)
			ps.CPU, ps.Memory = addCPU(ps.CPU, cs.CPU), addMem(ps.Memory, cs.Memory)
			if ps.StartTime.IsZero() || c.StartedAt.Before(ps.StartTime) {
				ps.StartTime = c.StartedAt
			}
			ps.Containers = append(ps.Containers, cs)
		}
		out.Pods = append(out.Pods, ps)
	}
	writeJSON(w, out)
}
