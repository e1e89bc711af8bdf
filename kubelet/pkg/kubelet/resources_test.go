package kubelet

import (
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/resource"
	"seven.dev/kubelet/pkg/container"
)

func TestPodCgroup(t *testing.T) {
	rl := func(kv ...string) core.ResourceList {
		l := core.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			l[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return l
	}
	ctr := func(req, lim core.ResourceList) core.Container {
		return core.Container{Name: "c", Resources: core.ResourceRequirements{Requests: req, Limits: lim}}
	}
	for _, tc := range []struct {
		name string
		init []core.Container
		cs   []core.Container
		want container.PodCgroup
	}{
		{"best effort", nil, []core.Container{ctr(nil, nil), ctr(nil, nil)},
			container.PodCgroup{QoSDir: "besteffort", CPUShares: 2}},
		{"guaranteed: the seeds' limits, twice", nil, []core.Container{
			ctr(nil, rl("cpu", "500m", "memory", "128Mi")), ctr(nil, rl("cpu", "500m", "memory", "128Mi"))},
			container.PodCgroup{CPUShares: 1024, CPUQuota: 100000, CPUPeriod: 100000, MemoryLimit: 256 << 20}},
		{"burstable: requests only", nil, []core.Container{ctr(rl("cpu", "100m"), nil), ctr(nil, nil)},
			container.PodCgroup{QoSDir: "burstable", CPUShares: 102}},
		{"burstable: a container without a memory limit leaves the pod unlimited", nil, []core.Container{
			ctr(rl("cpu", "250m"), rl("cpu", "1", "memory", "64Mi")), ctr(rl("cpu", "250m"), rl("cpu", "1"))},
			container.PodCgroup{QoSDir: "burstable", CPUShares: 512, CPUQuota: 200000, CPUPeriod: 100000}},
		{"init container larger than the app containers", []core.Container{ctr(nil, rl("cpu", "2", "memory", "1Gi"))},
			[]core.Container{ctr(nil, rl("cpu", "500m", "memory", "128Mi"))},
			container.PodCgroup{CPUShares: 2048, CPUQuota: 200000, CPUPeriod: 100000, MemoryLimit: 1 << 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &core.Pod{Spec: core.PodSpec{InitContainers: tc.init, Containers: tc.cs}}
			if got := podCgroup(pod); *got != tc.want {
				t.Errorf("podCgroup = %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func TestOOMScoreAdj(t *testing.T) {
	const capacity = 8 << 30
	c := func(req, lim core.ResourceList) core.Container {
		return core.Container{Name: "c", Resources: core.ResourceRequirements{Requests: req, Limits: lim}}
	}
	mem := func(q string) core.ResourceList { return core.ResourceList{core.ResourceMemory: resource.MustParse(q)} }
	for _, tc := range []struct {
		name string
		c    core.Container
		want int
	}{
		{"guaranteed", c(nil, core.ResourceList{core.ResourceCPU: resource.MustParse("1"), core.ResourceMemory: resource.MustParse("1Gi")}), -997},
		{"best effort", c(nil, nil), 1000},
		{"burstable, a quarter of the node", c(mem("2Gi"), nil), 750},
		{"burstable, no memory request", c(core.ResourceList{core.ResourceCPU: resource.MustParse("100m")}, nil), 999},
		{"burstable, a tiny request", c(mem("1Mi"), nil), 999},
		{"burstable, more than the node", c(mem("16Gi"), nil), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := &core.Pod{Spec: core.PodSpec{Containers: []core.Container{tc.c}}}
			if got := oomScoreAdj(pod, &pod.Spec.Containers[0], capacity); got != tc.want {
				t.Errorf("oomScoreAdj = %d, want %d", got, tc.want)
			}
		})
	}
}
