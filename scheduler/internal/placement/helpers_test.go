package placement

import (
	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
)

type nodeOpt func(*core.Node)

func node(name, cpu, mem string, opts ...nodeOpt) *core.Node {
	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: map[string]string{core.LabelHostname: name}}}
	n.Status.Allocatable = core.ResourceList{
		core.ResourceCPU:              resource.MustParse(cpu),
		core.ResourceMemory:           resource.MustParse(mem),
		core.ResourcePods:             resource.MustParse("110"),
		core.ResourceEphemeralStorage: resource.MustParse("10Gi"),
	}
	n.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: core.ConditionTrue}}
	for _, o := range opts {
		o(n)
	}
	return n
}

func withLabels(kv ...string) nodeOpt {
	return func(n *core.Node) {
		for i := 0; i+1 < len(kv); i += 2 {
			n.Labels[kv[i]] = kv[i+1]
		}
	}
}

func withTaint(key, value string, effect core.TaintEffect) nodeOpt {
	return func(n *core.Node) {
		n.Spec.Taints = append(n.Spec.Taints, core.Taint{Key: key, Value: value, Effect: effect})
	}
}

func withAllocatable(name core.ResourceName, q string) nodeOpt {
	return func(n *core.Node) { n.Status.Allocatable[name] = resource.MustParse(q) }
}

type podOpt func(*core.Pod)

func pod(name string, opts ...podOpt) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{}}}
	p.Spec.Containers = []core.Container{{Name: "c", Image: "busybox"}}
	for _, o := range opts {
		o(p)
	}
	return p
}

func requests(kv ...string) podOpt {
	return func(p *core.Pod) {
		rl := core.ResourceList{}
		for i := 0; i+1 < len(kv); i += 2 {
			rl[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		p.Spec.Containers[0].Resources.Requests = rl
	}
}

func podLabels(kv ...string) podOpt {
	return func(p *core.Pod) {
		for i := 0; i+1 < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}

func onNode(n string) podOpt { return func(p *core.Pod) { p.Spec.NodeName = n } }

func hostPort(port int32) podOpt {
	return func(p *core.Pod) {
		p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, core.ContainerPort{ContainerPort: 80, HostPort: port})
	}
}

func antiAffinity(key string, match ...string) podOpt {
	return func(p *core.Pod) {
		if p.Spec.Affinity == nil {
			p.Spec.Affinity = &core.Affinity{}
		}
		p.Spec.Affinity.PodAntiAffinity = &core.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []core.PodAffinityTerm{{
			LabelSelector: &meta.LabelSelector{MatchLabels: kvMap(match...)}, TopologyKey: key,
		}}}
	}
}

func affinity(key string, match ...string) podOpt {
	return func(p *core.Pod) {
		if p.Spec.Affinity == nil {
			p.Spec.Affinity = &core.Affinity{}
		}
		p.Spec.Affinity.PodAffinity = &core.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []core.PodAffinityTerm{{
			LabelSelector: &meta.LabelSelector{MatchLabels: kvMap(match...)}, TopologyKey: key,
		}}}
	}
}

func kvMap(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// snapshot places the pods (which must name their node) on the nodes.
func snapshot(nodes []*core.Node, pods ...*core.Pod) *Snapshot {
	s := &Snapshot{}
	for _, n := range nodes {
		var pis []*PodInfo
		for _, p := range pods {
			if p.Spec.NodeName == n.Name {
				pis = append(pis, NewPodInfo(p))
			}
		}
		s.Nodes = append(s.Nodes, NewNodeInfo(n, pis...))
	}
	return s
}

func mustQ(s string) resource.Quantity { return resource.MustParse(s) }
